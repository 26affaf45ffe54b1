/**
 * Every closed set of codes the system answers with, each spelled once in
 * one entry shape (entry.ts): the issuance chain's refusals (ASP and center,
 * with the kiosk's neutral rule), the kiosk's own, the registry's, the portal's, and the
 * reasons of a back side's verification. Services derive their status
 * tables and code types from these; nothing else spells a code's status or
 * wording.
 *
 * @example
 * ```ts ignore
 * import { ISSUANCE_REFUSALS, kioskCode } from "./lib/refusals/mod.ts";
 * ISSUANCE_REFUSALS[kioskCode("SUPPORT_MEASURE")].ja; // the neutral text
 * ```
 *
 * @module
 */
export * from "./entry.ts";
export * from "./issuance.ts";
export * from "./kiosk.ts";
export * from "./registry.ts";
export * from "./portal.ts";
export * from "./verification.ts";
