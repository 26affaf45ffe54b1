/**
 * Signing keys and public key lists on disk, shared by every party that
 * signs its messages (the center, the ASP nodes) and every party that
 * verifies them (the ASP nodes, the center, the kiosks).
 *
 * - A signing key file holds `{ keyId?, notBefore, notAfter, jwk }` (a
 *   private EC P-256 JWK), mode 0600; {@linkcode loadSigningKeyFile} imports
 *   it non-extractable for {@linkcode createSigner} (lib/crypto/signer.ts),
 *   generating it first when asked (development only).
 * - A public key list file is what a party is *provisioned* with to verify
 *   another party: {@linkcode writeKeyListFile} exports a signer's list,
 *   {@linkcode keyListFile} reads one for a verifier. A verifier's trust
 *   anchors come from this file, never from the link they protect.
 *
 * @module
 */
import { dirname } from "node:path";
import {
  createSigner,
  importSigningKey,
  type Signer,
  type SigningKey,
} from "./signer.ts";
import { type KeyList, parseKeyList } from "./key_list.ts";
import type { Clock } from "../time/clock.ts";

const DAY_MS = 86_400_000;

/**
 * Writes a fresh signing key file (0600) unless one exists (another
 * process starting at the same time may win: its key is kept).
 */
async function generateKeyFile(path: string, now: Date): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const text = JSON.stringify(
    {
      note: "Development signing key, generated on this machine",
      notBefore: new Date(now.getTime() - DAY_MS).toISOString(),
      notAfter: new Date(now.getTime() + 5 * 365 * DAY_MS).toISOString(),
      jwk,
    },
    null,
    2,
  ) + "\n";
  await Deno.writeTextFile(path, text, { createNew: true, mode: 0o600 })
    .catch((err) => {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    });
}

/**
 * Reads a signing key file (generating it first with `generate`, when it is
 * missing) and imports the key non-extractable.
 *
 * @example
 * ```ts ignore
 * const key = await loadSigningKeyFile("data/asp/keys/asp-signing-key.json", { generate: true, now: new Date() });
 * ```
 */
export async function loadSigningKeyFile(
  path: string,
  opts: { generate: boolean; now: Date },
): Promise<SigningKey> {
  if (opts.generate) {
    try {
      await Deno.stat(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      await generateKeyFile(path, opts.now);
    }
  }
  let raw: {
    keyId?: string;
    notBefore?: string;
    notAfter?: string;
    jwk?: JsonWebKey;
  };
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(
      `Cannot read the signing key (${path}): ${(err as Error).message}`,
    );
  }
  if (!raw.jwk || !raw.notBefore || !raw.notAfter) {
    throw new Error(`${path} must hold { notBefore, notAfter, jwk }`);
  }
  return await importSigningKey(raw.jwk, {
    keyId: raw.keyId,
    notBefore: new Date(raw.notBefore),
    notAfter: new Date(raw.notAfter),
  });
}

/**
 * A signer over one key file (see {@linkcode loadSigningKeyFile}).
 *
 * @example
 * ```ts ignore
 * const signer = await signerFromKeyFile(path, { generate: true, clock: systemClock });
 * ```
 */
export async function signerFromKeyFile(
  path: string,
  opts: { generate: boolean; clock: Clock },
): Promise<Signer> {
  const key = await loadSigningKeyFile(path, {
    generate: opts.generate,
    now: opts.clock.now(),
  });
  return await createSigner([key], { clock: opts.clock });
}

/**
 * Writes a public key list (no private part ever: a key list holds public
 * keys only) for the parties that verify this signer; atomically (a
 * temporary file renamed into place), mode 0644.
 *
 * @example
 * ```ts ignore
 * await writeKeyListFile("data/jlis/keys/jlis-keys.json", await signer.keyList());
 * ```
 */
export async function writeKeyListFile(
  path: string,
  keyList: KeyList,
): Promise<void> {
  const list = parseKeyList(keyList); // public entries only, checked
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, JSON.stringify(list, null, 2) + "\n", {
    mode: 0o644,
  });
  await Deno.rename(tmp, path);
}

/**
 * Reads and checks a public key list file; throws naming the file.
 *
 * @example
 * ```ts ignore
 * const keyList = await readKeyListFile("data/jlis/keys/jlis-keys.json");
 * ```
 */
export async function readKeyListFile(path: string): Promise<KeyList> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new Error(
      `Cannot read the provisioned key list (${path}): ${
        (err as Error).message
      }`,
    );
  }
  try {
    const list = parseKeyList(JSON.parse(text));
    if (!list.keys.length) throw new TypeError("no keys");
    return list;
  } catch (err) {
    throw new Error(
      `The provisioned key list (${path}) is malformed: ${
        (err as Error).message
      }`,
    );
  }
}

/** A provisioned key list, read from its file when first needed. */
export type KeyListSource = () => Promise<KeyList>;

/**
 * A key list source over a provisioned file: read on first use and kept
 * (the same object, so each key is imported once); a failed read is not
 * kept (the file may be written later, e.g. by a party starting after this
 * one). `reloadAfterMs`: re-read a list older than that (key rotation).
 *
 * @example
 * ```ts ignore
 * const centerKeys = keyListFile("data/jlis/keys/jlis-keys.json");
 * const keyList = await centerKeys();
 * ```
 */
export function keyListFile(
  path: string,
  opts: { reloadAfterMs?: number } = {},
): KeyListSource {
  let held: { list: Promise<KeyList>; at: number } | undefined;
  return () => {
    const now = Date.now();
    if (
      !held ||
      (opts.reloadAfterMs !== undefined && now - held.at > opts.reloadAfterMs)
    ) {
      const list = readKeyListFile(path);
      const entry = { list, at: now };
      held = entry;
      list.catch(() => {
        if (held === entry) held = undefined;
      });
    }
    return held.list;
  };
}
