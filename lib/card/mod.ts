/**
 * The simulated My Number card: its file (key under the PIN, persistent
 * failure counter) and its user-authentication certificate.
 *
 * @example
 * ```ts ignore
 * import { openCard } from "./lib/card/mod.ts";
 * const card = await openCard("card.json");
 * const signature = await card.sign("1234", nonce);
 * ```
 *
 * @module
 */
export * from "./card.ts";
export * from "./certificate.ts";
