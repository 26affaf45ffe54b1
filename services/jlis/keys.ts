/**
 * The center's key store on disk: the card CA (PEM) and the
 * response-signing key (private JWK with its validity). Read once at start
 * into non-extractable keys held by the CA and the signer. In development a
 * missing store is generated (files 0600) in a temporary folder renamed
 * into place, so that instances starting together agree on one set of keys.
 *
 * At every start the signer's public key list is exported to
 * `publicKeysFile` (`jlis-keys.json` beside the signing key by default):
 * the file kiosks and ASP nodes are provisioned with, their only trust
 * anchor for the center's signatures (`GET /keys` is informational).
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { writeKeyListFile } from "../../lib/crypto/key_store.ts";
import {
  createSigner,
  importSigningKey,
  type Signer,
} from "../../lib/crypto/signer.ts";
import type { Clock } from "../../lib/time/clock.ts";
import {
  type ContentKey,
  importContentKey,
} from "../../lib/crypto/content_key.ts";
import {
  type CardAuthority,
  generateCardAuthorityPem,
  loadCardAuthority,
} from "./cards/card_authority.ts";

/** Where the keys are, and whether they may be generated. */
export interface KeyFiles {
  caCertFile: string;
  caKeyFile: string;
  signingKeyFile: string;
  generateKeys: boolean;
  /** Back-side content key (`{ keyId, rawBase64 }`); optional for cards-only use. */
  contentKeyFile?: string;
  /**
   * Where the public key list is exported at start (default:
   * `jlis-keys.json` in the signing key's folder).
   */
  publicKeysFile?: string;
}

/**
 * Loads the back-side content key (`{ keyId, rawBase64 }`), generating it
 * first in a development key store (0600, never overwritten).
 *
 * @example
 * ```ts ignore
 * const contentKey = await loadContentKey("data/jlis/keys/content-key.json", true);
 * ```
 */
export async function loadContentKey(
  path: string,
  generate: boolean,
): Promise<ContentKey> {
  if (generate && !(await exists(path))) {
    await Deno.mkdir(dirname(path), { recursive: true });
    const raw = crypto.getRandomValues(new Uint8Array(32));
    await Deno.writeTextFile(
      path,
      JSON.stringify(
        {
          note: "Development back-side content key of the center",
          keyId: `enc-${new Date().toISOString().slice(0, 10)}`,
          rawBase64: raw.toBase64(),
        },
        null,
        2,
      ) + "\n",
      { createNew: true, mode: 0o600 },
    ).catch((err) => {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    });
  }
  let parsed: { keyId?: string; rawBase64?: string };
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(
      `Cannot read the content key (${path}): ${(err as Error).message}`,
    );
  }
  if (!parsed.keyId || !parsed.rawBase64) {
    throw new Error(`${path} must hold { keyId, rawBase64 }`);
  }
  return await importContentKey(
    parsed.keyId,
    Uint8Array.fromBase64(parsed.rawBase64),
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Generates the whole development key store in a temporary folder, then renames it into place. */
async function generateMissing(files: KeyFiles, now: Date): Promise<void> {
  const dir = dirname(files.caCertFile);
  if (
    dirname(files.caKeyFile) !== dir || dirname(files.signingKeyFile) !== dir
  ) {
    throw new Error("A generated key store keeps all its files in one folder");
  }
  if (await exists(dir)) return;
  await Deno.mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${crypto.randomUUID()}`;
  await Deno.mkdir(tmp, { mode: 0o700 });
  try {
    const write = (file: string, text: string) =>
      Deno.writeTextFile(`${tmp}/${basename(file)}`, text, {
        createNew: true,
        mode: 0o600,
      });
    const ca = await generateCardAuthorityPem({
      notBefore: new Date(now.getTime() - 86_400_000),
    });
    await write(files.caKeyFile, ca.privateKeyPem);
    await write(files.caCertFile, ca.certificatePem);
    const pair = await crypto.subtle.generateKey(
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign", "verify"],
    );
    const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    const notBefore = new Date(now.getTime() - 86_400_000);
    const notAfter = new Date(now.getTime() + 5 * 365 * 86_400_000);
    await write(
      files.signingKeyFile,
      JSON.stringify(
        {
          notBefore: notBefore.toISOString(),
          notAfter: notAfter.toISOString(),
          jwk,
        },
        null,
        2,
      ) + "\n",
    );
    await Deno.rename(tmp, dir); // another instance may have won: then keep its keys
  } catch (err) {
    if (!(await exists(dir))) throw err;
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Loads (and in development first generates) the CA and the signer, and
 * exports the signer's public key list (see the module doc).
 *
 * @example
 * ```ts ignore
 * const { authority, signer, publicKeysFile } = await loadCenterKeys(config, systemClock);
 * ```
 */
export async function loadCenterKeys(
  files: KeyFiles,
  clock: Clock,
): Promise<
  { authority: CardAuthority; signer: Signer; publicKeysFile: string }
> {
  if (files.generateKeys) await generateMissing(files, clock.now());
  const read = async (path: string, what: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (err) {
      throw new Error(
        `Cannot read the ${what} (${path}): ${(err as Error).message}`,
      );
    }
  };
  const authority = await loadCardAuthority(
    await read(files.caCertFile, "card CA certificate"),
    await read(files.caKeyFile, "card CA key"),
    { clock },
  );
  const raw = JSON.parse(
    await read(files.signingKeyFile, "response-signing key"),
  );
  const key = await importSigningKey(raw.jwk, {
    keyId: raw.keyId,
    notBefore: new Date(raw.notBefore),
    notAfter: new Date(raw.notAfter),
  });
  const signer = await createSigner([key], { clock });
  const publicKeysFile = files.publicKeysFile ??
    `${dirname(files.signingKeyFile)}/jlis-keys.json`;
  await writeKeyListFile(publicKeysFile, await signer.keyList());
  return { authority, signer, publicKeysFile };
}
