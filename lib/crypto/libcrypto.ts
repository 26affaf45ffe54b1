/**
 * OpenSSL's libcrypto through Deno's FFI: the one loader for the native
 * primitives the project uses where WebCrypto or node:crypto in Deno cost
 * more than the work (per-row AES-256-GCM in the ASP, ECDSA P-256 at the
 * center: WebCrypto signs in ~1 ms, libcrypto in ~30 µs). Null when FFI is
 * not granted or no libcrypto loads; every caller keeps a portable path.
 *
 * @module
 */

const NAMES = ["libcrypto.so.3", "libcrypto.3.dylib", "libcrypto.so"];

const SYMBOLS = {
  // AES-256-GCM
  EVP_CIPHER_CTX_new: { parameters: [], result: "pointer" },
  EVP_CIPHER_CTX_free: { parameters: ["pointer"], result: "void" },
  EVP_aes_256_gcm: { parameters: [], result: "pointer" },
  EVP_EncryptInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_EncryptUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_EncryptFinal_ex: {
    parameters: ["pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_CIPHER_CTX_ctrl: {
    parameters: ["pointer", "i32", "i32", "buffer"],
    result: "i32",
  },
  // Keys and signatures
  EC_KEY_new_by_curve_name: { parameters: ["i32"], result: "pointer" },
  d2i_ECPrivateKey: {
    parameters: ["buffer", "buffer", "i64"],
    result: "pointer",
  },
  EC_KEY_free: { parameters: ["pointer"], result: "void" },
  ECDSA_sign: {
    parameters: ["i32", "buffer", "i32", "buffer", "buffer", "pointer"],
    result: "i32",
  },
  d2i_PUBKEY: { parameters: ["pointer", "buffer", "i64"], result: "pointer" },
  EVP_PKEY_free: { parameters: ["pointer"], result: "void" },
  EVP_sha256: { parameters: [], result: "pointer" },
  EVP_MD_CTX_new: { parameters: [], result: "pointer" },
  EVP_MD_CTX_free: { parameters: ["pointer"], result: "void" },
  EVP_DigestVerifyInit: {
    parameters: ["pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  EVP_DigestVerify: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize"],
    result: "i32",
  },
  ERR_clear_error: { parameters: [], result: "void" },
} as const;

/** The libcrypto functions the project binds. */
export type Libcrypto = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let loaded: Libcrypto | null | undefined;

/**
 * libcrypto's symbols, or null when FFI is not allowed or no libcrypto
 * loads. Loaded once per process.
 *
 * @example
 * ```ts
 * const lib = loadLibcrypto();
 * if (lib) lib.ERR_clear_error();
 * ```
 */
export function loadLibcrypto(): Libcrypto | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
      return null;
    }
  } catch {
    return null;
  }
  for (const name of NAMES) {
    try {
      loaded = Deno.dlopen(name, SYMBOLS).symbols;
      break;
    } catch {
      // try the next name
    }
  }
  return loaded;
}

/**
 * A `const unsigned char **` for the d2i functions: an 8-byte cell holding
 * the address of `der` (which must stay alive for the call).
 */
export function pointerCell(der: Uint8Array): BigUint64Array<ArrayBuffer> {
  const p = Deno.UnsafePointer.of(der as Uint8Array<ArrayBuffer>);
  return new BigUint64Array([BigInt(Deno.UnsafePointer.value(p))]);
}
