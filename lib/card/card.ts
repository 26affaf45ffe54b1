/**
 * The simulated My Number card: a JSON file holding the user-authentication
 * certificate and its private key, the key encrypted under a key derived from
 * the 4-digit PIN (PBKDF2-SHA256 → AES-256-GCM), and a persistent counter of
 * consecutive wrong PINs. Three wrong in a row lock the card for good; a
 * right PIN resets the counter.
 *
 * Like a real card, the counter is incremented (and written) *before* the PIN
 * is checked and reset only after a success, so killing the process mid-try
 * never saves a try. Every write is atomic (temporary file, fsync, rename).
 * The file carries a digest over all its fields; an edited file is refused.
 *
 * Limits of a simulation: whoever holds the file can copy it and guess PINs
 * offline (10,000 of them, each costing one PBKDF2 run); a real card's chip
 * prevents that. The digest catches edits, not a rewrite by someone who
 * recomputes it.
 *
 * @module
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  pbkdf2Sync,
} from "node:crypto";
import { nativeSigningKey } from "../crypto/ecdsa.ts";
import { cardAuthMessage, readCardCertificate } from "./certificate.ts";

/** Wrong PINs in a row that lock a card. */
export const MAX_PIN_TRIES = 3;

/** PBKDF2 iterations for new cards (OWASP 2023 guidance for SHA-256). */
export const DEFAULT_PIN_ITERATIONS = 600_000;

const FORMAT = "konbini-card/1";
const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;
const PIN = /^\d{4}$/;

/** Why a card refused. */
export type CardErrorCode = "PIN_WRONG" | "PIN_LOCKED" | "CARD_FILE_INVALID";

const CARD_MESSAGES: Record<
  CardErrorCode,
  (remaining: number) => [string, string]
> = {
  PIN_WRONG: (n) => [
    `暗証番号が違います。あと${n}回間違えるとカードがロックされます。`,
    `Wrong PIN; ${n} more wrong tries lock the card`,
  ],
  PIN_LOCKED: () => [
    "暗証番号の誤りが続いたため、カードがロックされています。お住まいの市区町村の窓口で暗証番号の再設定を行ってください。",
    "The card is locked after repeated wrong PINs; reset the PIN at the municipal window",
  ],
  CARD_FILE_INVALID: () => [
    "カードを読み取れません。市区町村の窓口にお問い合わせください。",
    "The card cannot be read (damaged or altered)",
  ],
};

/**
 * A refusal by the card itself (never reaches the center): wrong PIN with the
 * tries left, locked, or an unreadable/altered card file.
 *
 * @example
 * ```ts ignore
 * try { await card.sign("0000", nonce); } catch (e) {
 *   if (e instanceof CardError && e.code === "PIN_WRONG") console.log(e.remainingTries);
 * }
 * ```
 */
export class CardError extends Error {
  /** Stable code, shared with the kiosk's messages. */
  readonly code: CardErrorCode;
  /** Wrong PINs still allowed before the card locks. */
  readonly remainingTries: number;
  /** Japanese kiosk message. */
  readonly ja: string;
  /** English message. */
  readonly en: string;

  constructor(code: CardErrorCode, remainingTries: number, reason?: string) {
    const [ja, en] = CARD_MESSAGES[code](remainingTries);
    super(`${code}: ${en}${reason ? ` (${reason})` : ""}`);
    this.name = "CardError";
    this.code = code;
    this.remainingTries = remainingTries;
    this.ja = ja;
    this.en = en;
  }
}

/** A card as read from its file. */
export interface Card {
  /** The card file. */
  readonly path: string;
  /** Certificate serial, lowercase hex. */
  readonly serial: string;
  /** Municipality code from the certificate. */
  readonly municipalityCode: string;
  /** The user-authentication certificate, PEM. */
  readonly certificatePem: string;
  /** Wrong PINs still allowed (0: locked), read from the file now. */
  remainingTries(): Promise<number>;
  /**
   * Checks the PIN and signs the center's nonce (see `cardAuthMessage`),
   * returning a 64-byte ECDSA P-256 r‖s signature. Throws `CardError`
   * (PIN_WRONG, PIN_LOCKED, CARD_FILE_INVALID) or `RangeError` for a PIN
   * that is not 4 digits (not counted, as a kiosk would not send it).
   */
  sign(pin: string, nonce: string): Promise<Uint8Array<ArrayBuffer>>;
}

/** A fresh key pair waiting for its certificate (the card before issuance). */
export interface CardRequest {
  /** PKCS#10 request for the center, PEM (proves possession of the key). */
  readonly csrPem: string;
  /**
   * Writes the card file with the issued certificate; refuses a certificate
   * for another key, and an existing file.
   */
  write(path: string, opts: WriteCardOptions): Promise<Card>;
}

/** Options of {@linkcode CardRequest.write}. */
export interface WriteCardOptions {
  /** The certificate the center issued for this request. */
  certificatePem: string;
  /** The 4-digit PIN. */
  pin: string;
  /** PBKDF2 iterations (default {@linkcode DEFAULT_PIN_ITERATIONS}; tests use fewer). */
  iterations?: number;
}

interface CardFile {
  format: typeof FORMAT;
  serial: string;
  municipalityCode: string;
  certificatePem: string;
  pin: {
    kdf: "PBKDF2-SHA256";
    iterations: number;
    salt: string;
    check: string;
  };
  privateKey: { enc: "A256GCM"; iv: string; ciphertext: string };
  failures: number;
  digest: string;
}

const b64 = (b: Uint8Array) =>
  b.toBase64({ alphabet: "base64url", omitPadding: true });
const unb64 = (s: string) =>
  Uint8Array.fromBase64(s, { alphabet: "base64url" });

/** SHA-256 (synchronous node:crypto: cheaper than a WebCrypto round trip). */
function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** The DER bytes of a PEM certificate (its base64 body). */
function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/
    .exec(pem);
  if (!m) throw new CardError("CARD_FILE_INVALID", 0, "no certificate");
  return Uint8Array.fromBase64(m[1].replace(/\s+/g, ""));
}

function digestOf(f: Omit<CardFile, "digest">): string {
  const canonical = JSON.stringify([
    f.format,
    f.serial,
    f.municipalityCode,
    f.certificatePem,
    f.pin.kdf,
    f.pin.iterations,
    f.pin.salt,
    f.pin.check,
    f.privateKey.enc,
    f.privateKey.iv,
    f.privateKey.ciphertext,
    f.failures,
  ]);
  return b64(sha256(new TextEncoder().encode(canonical)));
}

function additionalData(
  f: Pick<CardFile, "serial" | "municipalityCode" | "certificatePem">,
) {
  const der = pemToDer(f.certificatePem);
  return new TextEncoder().encode(
    `${FORMAT}|${f.serial}|${f.municipalityCode}|${b64(sha256(der))}`,
  );
}

/**
 * PIN → (AES key, check value). The check tells a wrong PIN from a damaged
 * file. Synchronous (node:crypto): a kiosk serves one card at a time, and
 * WebCrypto's round trip through the thread pool costs more than a test
 * card's PBKDF2 itself.
 */
function derivePinKeys(
  pin: string,
  salt: Uint8Array,
  iterations: number,
) {
  const bits = new Uint8Array(pbkdf2Sync(pin, salt, iterations, 64, "sha256"));
  const aes = bits.slice(0, 32);
  const check = b64(sha256(bits.subarray(32)));
  bits.fill(0);
  return { aes, check };
}

/** AES-256-GCM, WebCrypto's layout: ciphertext ‖ 16-byte tag. */
function sealKey(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(aad);
  const head = c.update(plaintext);
  const tail = c.final();
  const out = new Uint8Array(head.length + tail.length + 16);
  out.set(head);
  out.set(tail, head.length);
  out.set(c.getAuthTag(), head.length + tail.length);
  return out;
}

/** Opens {@linkcode sealKey}'s output; throws when the tag does not match. */
function openKey(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array {
  if (sealed.length < 16) throw new RangeError("Sealed key too short");
  const d = createDecipheriv("aes-256-gcm", key, iv);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const head = d.update(sealed.subarray(0, sealed.length - 16));
  const tail = d.final();
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  head.fill(0);
  return out;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/**
 * Writes a file atomically: a temporary file, fsync, then rename (or link,
 * for a new card, which fails if the path exists). Synchronous: a card file
 * is a few kilobytes, and each async file operation's hop through the
 * thread pool costs more than the write.
 */
function writeAtomic(
  path: string,
  text: string,
  opts: { createNew?: boolean } = {},
) {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  const file = Deno.openSync(tmp, {
    write: true,
    createNew: true,
    mode: 0o600,
  });
  try {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
    file.syncSync();
  } finally {
    file.close();
  }
  try {
    if (opts.createNew) {
      Deno.linkSync(tmp, path); // fails if path exists
      Deno.removeSync(tmp);
    } else {
      Deno.renameSync(tmp, path);
    }
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // already gone
    }
    throw err;
  }
}

function saveCard(
  path: string,
  f: Omit<CardFile, "digest">,
  createNew = false,
) {
  const full: CardFile = { ...f, digest: digestOf(f) };
  writeAtomic(path, JSON.stringify(full, null, 2) + "\n", { createNew });
}

function loadCard(path: string): CardFile {
  const text = Deno.readTextFileSync(path);
  const invalid = (why: string) => new CardError("CARD_FILE_INVALID", 0, why);
  let f: CardFile;
  try {
    f = JSON.parse(text);
  } catch {
    throw invalid("not JSON");
  }
  if (
    !f || f.format !== FORMAT || typeof f.serial !== "string" ||
    typeof f.municipalityCode !== "string" ||
    typeof f.certificatePem !== "string" ||
    f.pin?.kdf !== "PBKDF2-SHA256" || !Number.isInteger(f.pin.iterations) ||
    f.pin.iterations < 1000 || typeof f.pin.salt !== "string" ||
    typeof f.pin.check !== "string" ||
    f.privateKey?.enc !== "A256GCM" || typeof f.privateKey.iv !== "string" ||
    typeof f.privateKey.ciphertext !== "string" ||
    !Number.isInteger(f.failures) ||
    f.failures < 0 || typeof f.digest !== "string"
  ) throw invalid("unknown format");
  if (!constantTimeEqual(digestOf(f), f.digest)) {
    throw invalid("digest mismatch");
  }
  return f;
}

/**
 * Generates a card's key pair and its certificate request.
 *
 * @example
 * ```ts ignore
 * const req = await createCardRequest();
 * const { certificatePem } = await issueAtCenter(req.csrPem);
 * const card = await req.write("card.json", { certificatePem, pin: "1234" });
 * ```
 */
export async function createCardRequest(): Promise<CardRequest> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, [
    "sign",
    "verify",
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: "CN=My Number card",
    keys,
    signingAlgorithm: ECDSA_SHA256,
  });
  const spki = new Uint8Array(
    await crypto.subtle.exportKey("spki", keys.publicKey),
  );
  return {
    csrPem: csr.toString("pem"),
    async write(path, opts) {
      if (!PIN.test(opts.pin)) throw new RangeError("A PIN is 4 digits");
      const iterations = opts.iterations ?? DEFAULT_PIN_ITERATIONS;
      if (!Number.isInteger(iterations) || iterations < 1000) {
        throw new RangeError("PBKDF2 iterations must be an integer ≥ 1000");
      }
      const info = readCardCertificate(opts.certificatePem);
      const certSpki = new Uint8Array(info.certificate.publicKey.rawData);
      if (b64(certSpki) !== b64(spki)) {
        throw new TypeError("The certificate is not for this card's key");
      }
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const { aes, check } = derivePinKeys(opts.pin, salt, iterations);
      const head = {
        format: FORMAT,
        serial: info.serial,
        municipalityCode: info.municipalityCode,
        certificatePem: info.certificate.toString("pem"),
      } as const;
      const pkcs8 = new Uint8Array(
        await crypto.subtle.exportKey("pkcs8", keys.privateKey),
      );
      const ciphertext = sealKey(aes, iv, additionalData(head), pkcs8);
      pkcs8.fill(0);
      aes.fill(0);
      saveCard(path, {
        ...head,
        pin: { kdf: "PBKDF2-SHA256", iterations, salt: b64(salt), check },
        privateKey: {
          enc: "A256GCM",
          iv: b64(iv),
          ciphertext: b64(ciphertext),
        },
        failures: 0,
      }, true);
      return await openCard(path);
    },
  };
}

/**
 * Opens a card file. The PIN counter is re-read from the file on every use.
 *
 * @example
 * ```ts ignore
 * const card = await openCard("card.json");
 * const signature = await card.sign("1234", nonce);
 * ```
 */
export function openCard(path: string): Promise<Card> {
  // The file I/O is synchronous (see writeAtomic); a thrown error rejects.
  return new Promise((resolve) => resolve(cardAt(path)));
}

function cardAt(path: string): Card {
  const first = loadCard(path);
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => T | Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  const fromFile = () => {
    const f = loadCard(path);
    if (f.serial !== first.serial) {
      throw new CardError(
        "CARD_FILE_INVALID",
        0,
        "a different card was put in its place",
      );
    }
    return f;
  };
  return {
    path,
    serial: first.serial,
    municipalityCode: first.municipalityCode,
    certificatePem: first.certificatePem,
    remainingTries: () =>
      serialized(() => Math.max(0, MAX_PIN_TRIES - fromFile().failures)),
    sign: (pin, nonce) =>
      serialized(async () => {
        if (!PIN.test(pin)) throw new RangeError("A PIN is 4 digits");
        const message = cardAuthMessage(nonce);
        const f = fromFile();
        if (f.failures >= MAX_PIN_TRIES) throw new CardError("PIN_LOCKED", 0);
        // Count the try before checking it: a crash from here on cannot save it.
        const { digest: _d, ...body } = f;
        const counted = { ...body, failures: f.failures + 1 };
        saveCard(path, counted);
        const { aes, check } = derivePinKeys(
          pin,
          unb64(f.pin.salt),
          f.pin.iterations,
        );
        if (!constantTimeEqual(check, f.pin.check)) {
          aes.fill(0);
          const remaining = MAX_PIN_TRIES - counted.failures;
          throw remaining <= 0
            ? new CardError("PIN_LOCKED", 0)
            : new CardError("PIN_WRONG", remaining);
        }
        let pkcs8: Uint8Array;
        try {
          pkcs8 = openKey(
            aes,
            unb64(f.privateKey.iv),
            additionalData(f),
            unb64(f.privateKey.ciphertext),
          );
        } catch {
          throw new CardError(
            "CARD_FILE_INVALID",
            0,
            "key material does not decrypt",
          );
        } finally {
          aes.fill(0);
        }
        saveCard(path, { ...body, failures: 0 });
        // The card's chip signs fast; so does libcrypto (WebCrypto: ~1 ms).
        const native = nativeSigningKey(pkcs8);
        if (native) {
          pkcs8.fill(0);
          return native.sign(message);
        }
        const key = await crypto.subtle.importKey(
          "pkcs8",
          pkcs8 as Uint8Array<ArrayBuffer>,
          EC_P256,
          false,
          ["sign"],
        );
        pkcs8.fill(0);
        return new Uint8Array(
          await crypto.subtle.sign(ECDSA_SHA256, key, message),
        );
      }),
  };
}
