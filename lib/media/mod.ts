/**
 * The encrypted initial-load media: writer, verifier/reader, import into
 * the ASP, secure destruction, keys. The registry's export lives with the
 * registry (services/registry/media_export.ts).
 *
 * @example
 * ```ts ignore
 * import { importMedia, verifyMedia } from "./lib/media/mod.ts";
 * ```
 *
 * @module
 */
export * from "./format.ts";
export * from "./writer.ts";
export * from "./reader.ts";
export * from "./destroy.ts";
export * from "./keys.ts";
export * from "./import.ts";
