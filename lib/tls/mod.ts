/**
 * The project's own CA and mutual TLS between services.
 *
 * @example
 * ```ts ignore
 * import { createTestPki, mtlsFetch, peerSubject, serveMtls } from "./lib/tls/mod.ts";
 * ```
 *
 * @module
 */
export * from "./pki.ts";
export * from "./mtls.ts";
export * from "./files.ts";
