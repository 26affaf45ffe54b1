/**
 * The encrypted initial-load media: writer, verifier/reader, export from the
 * registry, import into the ASP, secure destruction, keys.
 *
 * @example
 * ```ts
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
export * from "./export.ts";
export * from "./import.ts";
