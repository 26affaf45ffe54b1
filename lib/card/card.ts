/**
 * The simulated My Number card: a JSON file holding the user-authentication
 * certificate and its private key, the key encrypted under a key derived from
 * the 4-digit PIN (PBKDF2-SHA256 → AES-256-GCM), and a persistent counter of
 * consecutive wrong PINs. Three wrong in a row lock the card; a right PIN
 * resets the counter. A locked card (or a forgotten PIN) is reset at the
 * municipal window ({@linkcode resetPin}): the key is sealed a second time in
 * a *reset slot* under an unblock key only the center can derive, which the
 * center answers once the window has recorded the holder's identity check
 * (services/jlis/cards/pin_reset.ts); the card then sets the new PIN, zeroes
 * the counter and re-seals its slot for the next generation.
 *
 * A face-authentication-only card (顔認証マイナンバーカード, `pinless`) has
 * no PIN: its key opens only after a face match at a 顔認証付きカードリーダー,
 * which this simulation does not model, so the file holds no key and the
 * card refuses every PIN use (FACE_AUTH_CARD_NOT_USABLE).
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
import { ISSUANCE_REFUSALS } from "../refusals/issuance.ts";
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
export type CardErrorCode =
  | "PIN_WRONG"
  | "PIN_LOCKED"
  | "CARD_FILE_INVALID"
  | "FACE_AUTH_CARD_NOT_USABLE"
  | "PIN_RESET_REFUSED";

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
  // The center's catalogue entry: the kiosk shows the same text either way.
  FACE_AUTH_CARD_NOT_USABLE: () => [
    ISSUANCE_REFUSALS.FACE_AUTH_CARD_NOT_USABLE.ja,
    ISSUANCE_REFUSALS.FACE_AUTH_CARD_NOT_USABLE.en,
  ],
  PIN_RESET_REFUSED: () => [
    "カードが暗証番号の再設定を受け付けませんでした。センターの認可を確認してください。",
    "The card refused the PIN reset (authorisation not for this card or its generation)",
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
  /**
   * Municipality code from an earlier card's certificate extension; null
   * for cards issued now (the center routes by its own table).
   */
  readonly municipalityCode: string | null;
  /** The user-authentication certificate, PEM. */
  readonly certificatePem: string;
  /** A face-authentication-only card: no PIN, refused at kiosks. */
  readonly pinless: boolean;
  /** Wrong PINs still allowed (0: locked; a pinless card: 0), read from the file now. */
  remainingTries(): Promise<number>;
  /**
   * The card's PIN-reset generation (what the window reports to the center),
   * read from the file now; null when the card has no reset slot (pinless,
   * or written without an unblock key).
   */
  resetGeneration(): Promise<number | null>;
  /**
   * Checks the PIN and signs the center's nonce (see `cardAuthMessage`),
   * returning a 64-byte ECDSA P-256 r‖s signature. Throws `CardError`
   * (PIN_WRONG, PIN_LOCKED, CARD_FILE_INVALID) or `RangeError` for a PIN
   * that is not 4 digits (not counted, as a kiosk would not send it).
   */
  sign(pin: string, nonce: string): Promise<Uint8Array<ArrayBuffer>>;
  /** See {@linkcode resetPin}. */
  resetPin(
    newPin: string,
    authorization: PinResetAuthorization,
    opts?: { iterations?: number },
  ): Promise<void>;
}

/**
 * The center's one-time PIN-reset authorisation as the card takes it
 * (`POST /cards/{serial}/pin-reset`'s answer).
 */
export interface PinResetAuthorization {
  /** The card's serial. */
  serial: string;
  /** The reset generation it opens (the card's current one). */
  generation: number;
  /** base64url key opening the reset slot of `generation`. */
  unblockKey: string;
  /** base64url key the card re-seals its slot under (generation + 1). */
  nextUnblockKey: string;
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
  /** The 4-digit PIN (absent for a pinless card). */
  pin?: string;
  /** PBKDF2 iterations (default {@linkcode DEFAULT_PIN_ITERATIONS}; tests use fewer). */
  iterations?: number;
  /**
   * The center's unblock key of generation 0 (`POST /cards`' answer): the
   * card keeps its key a second time in a reset slot under it. Without it
   * the card's PIN can never be reset.
   */
  unblockKey?: string;
  /**
   * A face-authentication-only card (顔認証マイナンバーカード): no PIN, no
   * key in the file (the face match is not simulated).
   */
  pinless?: boolean;
}

interface CardFile {
  format: typeof FORMAT;
  serial: string;
  /** An earlier card's certificate extension; null when it has none. */
  municipalityCode: string | null;
  certificatePem: string;
  /** null for a pinless card. */
  pin: {
    kdf: "PBKDF2-SHA256";
    iterations: number;
    salt: string;
    check: string;
  } | null;
  /** null for a pinless card. */
  privateKey: { enc: "A256GCM"; iv: string; ciphertext: string } | null;
  failures: number;
  /** A face-authentication-only card (absent: false). */
  pinless?: true;
  /** The key sealed under the unblock key of `generation` (absent: no reset slot). */
  reset?: { generation: number; iv: string; ciphertext: string };
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
    f.pin?.kdf,
    f.pin?.iterations,
    f.pin?.salt,
    f.pin?.check,
    f.privateKey?.enc,
    f.privateKey?.iv,
    f.privateKey?.ciphertext,
    f.failures,
    // Later fields only when present: files written before them still verify.
    ...(f.pinless || f.reset
      ? [
        f.pinless ?? false,
        f.reset?.generation ?? null,
        f.reset?.iv ?? null,
        f.reset?.ciphertext ?? null,
      ]
      : []),
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

/** The additional data of the reset slot of a generation. */
function resetData(
  f: Pick<CardFile, "serial" | "municipalityCode" | "certificatePem">,
  generation: number,
) {
  const head = additionalData(f);
  const tail = new TextEncoder().encode(`|reset|${generation}`);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/** An unblock key's 32 bytes; CardError PIN_RESET_REFUSED when malformed. */
function unblockBytes(key: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = unb64(key);
  } catch {
    throw new CardError("PIN_RESET_REFUSED", 0, "unblock key not base64url");
  }
  if (bytes.length !== 32) {
    throw new CardError("PIN_RESET_REFUSED", 0, "unblock key not 32 bytes");
  }
  return bytes;
}

/** The PIN slot and the private key sealed under a new PIN. */
function sealUnderPin(
  head: Pick<CardFile, "serial" | "municipalityCode" | "certificatePem">,
  pin: string,
  iterations: number,
  pkcs8: Uint8Array,
): Pick<CardFile, "pin" | "privateKey"> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const { aes, check } = derivePinKeys(pin, salt, iterations);
  const ciphertext = sealKey(aes, iv, additionalData(head), pkcs8);
  aes.fill(0);
  return {
    pin: { kdf: "PBKDF2-SHA256", iterations, salt: b64(salt), check },
    privateKey: { enc: "A256GCM", iv: b64(iv), ciphertext: b64(ciphertext) },
  };
}

/** The reset slot of a generation: the key sealed under its unblock key. */
function sealResetSlot(
  head: Pick<CardFile, "serial" | "municipalityCode" | "certificatePem">,
  unblockKey: string,
  generation: number,
  pkcs8: Uint8Array,
): NonNullable<CardFile["reset"]> {
  const key = unblockBytes(unblockKey);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = sealKey(key, iv, resetData(head, generation), pkcs8);
  key.fill(0);
  return { generation, iv: b64(iv), ciphertext: b64(ciphertext) };
}

function checkIterations(iterations: number) {
  if (!Number.isInteger(iterations) || iterations < 1000) {
    throw new RangeError("PBKDF2 iterations must be an integer ≥ 1000");
  }
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
    !(typeof f.municipalityCode === "string" || f.municipalityCode === null) ||
    typeof f.certificatePem !== "string" ||
    !(f.pinless === undefined || f.pinless === true) ||
    !(f.pinless ? f.pin === null && f.privateKey === null : (
      f.pin?.kdf === "PBKDF2-SHA256" && Number.isInteger(f.pin.iterations) &&
      f.pin.iterations >= 1000 && typeof f.pin.salt === "string" &&
      typeof f.pin.check === "string" &&
      f.privateKey?.enc === "A256GCM" && typeof f.privateKey.iv === "string" &&
      typeof f.privateKey.ciphertext === "string"
    )) ||
    !(f.reset === undefined || (
      !f.pinless && Number.isInteger(f.reset?.generation) &&
      f.reset.generation >= 0 && typeof f.reset.iv === "string" &&
      typeof f.reset.ciphertext === "string"
    )) ||
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
      if (opts.pinless && (opts.pin !== undefined || opts.unblockKey)) {
        throw new TypeError("A pinless card has no PIN and no reset slot");
      }
      if (!opts.pinless && !PIN.test(opts.pin ?? "")) {
        throw new RangeError("A PIN is 4 digits");
      }
      const iterations = opts.iterations ?? DEFAULT_PIN_ITERATIONS;
      checkIterations(iterations);
      const info = readCardCertificate(opts.certificatePem);
      const certSpki = new Uint8Array(info.certificate.publicKey.rawData);
      if (b64(certSpki) !== b64(spki)) {
        throw new TypeError("The certificate is not for this card's key");
      }
      const head = {
        format: FORMAT,
        serial: info.serial,
        municipalityCode: info.municipalityCode,
        certificatePem: info.certificate.toString("pem"),
      } as const;
      if (opts.pinless) {
        saveCard(path, {
          ...head,
          pin: null,
          privateKey: null,
          failures: 0,
          pinless: true,
        }, true);
        return await openCard(path);
      }
      const pkcs8 = new Uint8Array(
        await crypto.subtle.exportKey("pkcs8", keys.privateKey),
      );
      try {
        saveCard(path, {
          ...head,
          ...sealUnderPin(head, opts.pin!, iterations, pkcs8),
          failures: 0,
          ...(opts.unblockKey
            ? { reset: sealResetSlot(head, opts.unblockKey, 0, pkcs8) }
            : {}),
        }, true);
      } finally {
        pkcs8.fill(0);
      }
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
    pinless: first.pinless === true,
    remainingTries: () =>
      serialized(() => {
        const f = fromFile();
        return f.pinless ? 0 : Math.max(0, MAX_PIN_TRIES - f.failures);
      }),
    resetGeneration: () =>
      serialized(() => fromFile().reset?.generation ?? null),
    resetPin: (newPin, authorization, opts = {}) =>
      serialized(() =>
        resetCardPin(path, fromFile(), newPin, authorization, opts)
      ),
    sign: (pin, nonce) =>
      serialized(async () => {
        if (!PIN.test(pin)) throw new RangeError("A PIN is 4 digits");
        const message = cardAuthMessage(nonce);
        const f = fromFile();
        if (f.pinless || !f.pin || !f.privateKey) {
          throw new CardError("FACE_AUTH_CARD_NOT_USABLE", 0);
        }
        if (f.failures >= MAX_PIN_TRIES) throw new CardError("PIN_LOCKED", 0);
        // Count the try before checking it: a crash from here on cannot save it.
        const { digest: _d, ...body } = f;
        const counted = { ...body, failures: f.failures + 1 };
        saveCard(path, counted);
        const pinSlot = f.pin, keySlot = f.privateKey;
        const { aes, check } = derivePinKeys(
          pin,
          unb64(pinSlot.salt),
          pinSlot.iterations,
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
            unb64(keySlot.iv),
            additionalData(f),
            unb64(keySlot.ciphertext),
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

/**
 * Sets a new PIN on a card at the municipal window, with the center's
 * one-time authorisation (`POST /cards/{serial}/pin-reset`, issued after the
 * window recorded the holder's identity check): opens the card's reset slot
 * with the authorisation's unblock key, seals the key under the new PIN,
 * re-seals the slot under the next generation's key, and zeroes the
 * wrong-PIN counter, in one atomic write. The old PIN no longer opens the
 * card. Throws `CardError` PIN_RESET_REFUSED (another card's or another
 * generation's authorisation, a key that does not open the slot, a card with
 * no reset slot), FACE_AUTH_CARD_NOT_USABLE (a pinless card: setting a PIN
 * on it is not simulated), CARD_FILE_INVALID; `RangeError` for a PIN that is
 * not 4 digits.
 *
 * @example
 * ```ts ignore
 * const auth = await (await fetch(`${center}/cards/${card.serial}/pin-reset`, { method: "POST", body })).json();
 * await resetPin(card, "5678", auth);
 * ```
 */
export async function resetPin(
  card: Card,
  newPin: string,
  authorization: PinResetAuthorization,
  opts: { iterations?: number } = {},
): Promise<void> {
  await card.resetPin(newPin, authorization, opts);
}

function resetCardPin(
  path: string,
  f: CardFile,
  newPin: string,
  auth: PinResetAuthorization,
  opts: { iterations?: number },
): void {
  if (!PIN.test(newPin)) throw new RangeError("A PIN is 4 digits");
  if (f.pinless) throw new CardError("FACE_AUTH_CARD_NOT_USABLE", 0);
  const iterations = opts.iterations ?? f.pin!.iterations;
  checkIterations(iterations);
  const refused = (why: string) => new CardError("PIN_RESET_REFUSED", 0, why);
  if (!f.reset) throw refused("the card has no reset slot");
  if (String(auth?.serial).toLowerCase() !== f.serial) {
    throw refused("authorisation for another card");
  }
  if (auth.generation !== f.reset.generation) {
    throw refused("authorisation for another reset generation");
  }
  const key = unblockBytes(auth.unblockKey);
  unblockBytes(auth.nextUnblockKey).fill(0); // well-formed before anything changes
  let pkcs8: Uint8Array;
  try {
    pkcs8 = openKey(
      key,
      unb64(f.reset.iv),
      resetData(f, f.reset.generation),
      unb64(f.reset.ciphertext),
    );
  } catch {
    throw refused("the unblock key does not open the reset slot");
  } finally {
    key.fill(0);
  }
  try {
    const { digest: _d, ...body } = f;
    saveCard(path, {
      ...body,
      ...sealUnderPin(f, newPin, iterations, pkcs8),
      failures: 0,
      reset: sealResetSlot(
        f,
        auth.nextUnblockKey,
        f.reset.generation + 1,
        pkcs8,
      ),
    });
  } finally {
    pkcs8.fill(0);
  }
}
