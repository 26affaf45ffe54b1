/**
 * Issues a simulated My Number card at the municipality's window
 * (`npx -y deno@2.9.6 task card:issue`; `--help` for usage): reads the
 * holder's record in the registry (the window's credential), generates the
 * card's key, has the center issue its user-authentication certificate
 * (`POST /cards` with the municipality's credential and the holder binding —
 * the keyed digest of the holder's name, birth date and sex under the
 * municipality's binding key, lib/card/identity_binding.ts), writes the card
 * file protected by the PIN, and links the certificate serial to the
 * resident in the registry (`POST /municipalities/{code}/card-links`, the
 * window's credential again: the center has no registry credential). If the
 * link fails the certificate is revoked at the center and the file removed,
 * so no half-issued card remains usable.
 *
 * A resident who already has a linked card gets a re-issue (再交付): the
 * center revokes the previous cards in the new card's transaction (it checks
 * they carry the same holder binding) and the registry's new link replaces
 * the old ones in one event. `--pinless` issues a face-authentication-only
 * card (顔認証マイナンバーカード): no PIN, refused at kiosks.
 *
 * ```
 * npx -y deno@2.9.6 task card:issue --municipality 401005 --resident 401005-00000001 --out card.json [--pin 1234]
 *   [--center URL] [--registry URL] [--certs DIR] [--center-token T] [--registry-token T] [--iterations N]
 * ```
 * Defaults: JLIS_URL or https://localhost:8103, REGISTRY_URL or
 * https://localhost:8111. Both calls go over mutual TLS with the
 * municipality window's certificate (`<certs>/city-<code>.pem`, `--certs`
 * default CERTS_DIR or certs/), which identifies it; tokens are optional.
 * The holder binding is made with CARD_BINDING_KEYS or the development
 * binding key under <DATA_DIR>.
 *
 * @module
 */
import { createCardRequest, DEFAULT_PIN_ITERATIONS } from "../lib/card/card.ts";
import { parseCli, usageError } from "../lib/service/cli.ts";
import {
  bindingDigest,
  bindingKeysFromEnv,
} from "../lib/card/identity_binding.ts";
import {
  describeAnswer as describe,
  REGISTRY_OPTIONS,
  registryOptions,
  runAtWindow,
  WINDOW_OPTIONS,
  windowCall as call,
} from "./window_call.ts";

/** Options of {@linkcode issueCardFile}. */
export interface IssueCardOptions {
  municipalityCode: string;
  residentId: string;
  out: string;
  pin: string;
  centerUrl: string;
  /** A bearer token at the center, if one is configured besides the certificate. */
  centerToken?: string;
  registryUrl: string;
  /** A bearer token at the registry, if one is configured besides the certificate. */
  registryToken?: string;
  /** The municipality's card-binding key (shared with the center). */
  bindingKey: Uint8Array;
  iterations?: number;
  /** A face-authentication-only card (no PIN; `pin` is ignored). */
  pinless?: boolean;
  /** HTTP client: mutual TLS with the window's certificate (tests route it to in-process apps). */
  fetch?: typeof fetch;
}

/** What was issued. */
export interface IssuedCard {
  serial: string;
  municipalityCode: string;
  residentId: string;
  out: string;
  notAfter: string;
  /** Serials this re-issue revoked at the center. */
  revoked: string[];
}

/**
 * Issues a card and links it; throws `Error` saying which step failed.
 *
 * @example
 * ```ts ignore
 * const card = await issueCardFile({ municipalityCode: "401005", residentId, out: "card.json", pin: "1234",
 *   centerUrl: "https://localhost:8103", registryUrl: "https://localhost:8111", bindingKey,
 *   fetch: await cityWindowFetch(Deno.env, "401005") });
 * ```
 */
export async function issueCardFile(
  opts: IssueCardOptions,
): Promise<IssuedCard> {
  const f = opts.fetch ?? fetch;
  if (!/^\d{6}$/.test(opts.municipalityCode)) {
    throw new RangeError("--municipality must be a 6-digit code");
  }
  if (!opts.residentId) throw new RangeError("--resident is required");
  if (!/^\d{4}$/.test(opts.pin)) throw new RangeError("--pin must be 4 digits");
  try {
    await Deno.lstat(opts.out);
    throw new Error(
      `${opts.out} already exists; a card file is never overwritten`,
    );
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  // The holder as the registry records them: what the card binds.
  const holder = await call(
    f,
    `${opts.registryUrl}/municipalities/${opts.municipalityCode}/residents/${
      encodeURIComponent(opts.residentId)
    }`,
    opts.registryToken,
    undefined,
    { "X-Purpose": encodeURIComponent("個人番号カードの交付") },
  ).catch((e) => ({
    status: 0,
    body: { message_en: String(e) } as Record<string, unknown>,
  }));
  if (holder.status !== 200) {
    throw new Error(
      `The registry refused the holder's record: ${describe(holder)}`,
    );
  }
  const holderBinding = bindingDigest(opts.bindingKey, {
    name: String(holder.body.name),
    birthDate: String(holder.body.birthDate),
    sex: holder.body.sex as "male" | "female",
  });
  // A re-issue replaces the cards the registry links to the holder now.
  const replaces = ((holder.body.cardLinks ?? []) as {
    serial: string;
    unlinkedAt: string | null;
  }[]).filter((l) => !l.unlinkedAt).map((l) => l.serial);
  const req = await createCardRequest();
  const issued = await call(f, `${opts.centerUrl}/cards`, opts.centerToken, {
    municipalityCode: opts.municipalityCode,
    csrPem: req.csrPem,
    holderBinding,
    ...(opts.pinless ? { pinless: true } : {}),
    ...(replaces.length ? { replaces } : {}),
  });
  if (issued.status !== 201) {
    throw new Error(`The center refused to issue: ${describe(issued)}`);
  }
  const serial = String(issued.body.serial);
  const revoke = async (why: string) => {
    const r = await call(
      f,
      `${opts.centerUrl}/cards/${serial}/revoke`,
      opts.centerToken,
      { reason: why },
    )
      .catch((e) => ({ status: 0, body: { message_en: String(e) } }));
    return r.status === 200
      ? "the certificate was revoked"
      : `revoking it FAILED too (${describe(r)})`;
  };
  try {
    await req.write(
      opts.out,
      opts.pinless
        ? { certificatePem: String(issued.body.certificatePem), pinless: true }
        : {
          certificatePem: String(issued.body.certificatePem),
          pin: opts.pin,
          iterations: opts.iterations ?? DEFAULT_PIN_ITERATIONS,
          unblockKey: String(issued.body.unblockKey),
        },
    );
  } catch (err) {
    throw new Error(
      `Cannot write ${opts.out}: ${(err as Error).message}; ${await revoke(
        "card file not written",
      )}`,
    );
  }
  const link = await call(
    f,
    `${opts.registryUrl}/municipalities/${opts.municipalityCode}/card-links`,
    opts.registryToken,
    {
      serial,
      residentId: opts.residentId,
      ...(replaces.length ? { replaces } : {}),
    },
  ).catch((e) => ({
    status: 0,
    body: { message_en: String(e) } as Record<string, unknown>,
  }));
  if (link.status !== 201) {
    await Deno.remove(opts.out).catch(() => {});
    throw new Error(
      `The registry refused the card link: ${describe(link)}; ${await revoke(
        "registry link failed",
      )}`,
    );
  }
  return {
    serial,
    municipalityCode: opts.municipalityCode,
    residentId: opts.residentId,
    out: opts.out,
    notAfter: String(issued.body.notAfter),
    revoked: (issued.body.revoked ?? []) as string[],
  };
}

const CARD_ISSUE_CLI = {
  task: "card:issue",
  usage:
    `--municipality 401005 --resident ID --out FILE [--pin 1234 | --pinless]
    [--center URL] [--registry URL] [--certs DIR] [--center-token T] [--registry-token T]
    [--iterations N]`,
  description:
    "Issues a card for the resident at the center, writes it to --out (PIN-protected;\n" +
    "never overwritten; relative to the directory you run the task from) and links it\n" +
    "in the registry; a resident with a linked card gets a re-issue (the old card is\n" +
    "revoked and unlinked). --pinless: a face-authentication-only card (no PIN, refused\n" +
    "at kiosks). Defaults: --center $JLIS_URL or https://localhost:8103,\n" +
    "--registry $REGISTRY_URL or https://localhost:8111; mutual TLS with the window's\n" +
    "certificate city-<code> from --certs ($CERTS_DIR or certs/).",
  options: {
    ...WINDOW_OPTIONS,
    ...REGISTRY_OPTIONS,
    resident: { type: "string" },
    out: { type: "string" },
    pin: { type: "string" },
    iterations: { type: "string" },
    pinless: { type: "boolean" },
  },
  paths: ["out", "certs"],
} as const;

if (import.meta.main) {
  const { values } = parseCli(CARD_ISSUE_CLI);
  if (!values.municipality || !values.resident || !values.out) {
    usageError(
      CARD_ISSUE_CLI,
      "--municipality, --resident and --out are required",
    );
  }
  await runAtWindow(CARD_ISSUE_CLI, values, async (at) => {
    const card = await issueCardFile({
      ...at,
      residentId: values.resident!,
      out: values.out!,
      pin: values.pin ?? "1234",
      ...registryOptions(values),
      bindingKey: bindingKeysFromEnv(Deno.env)(values.municipality!) ??
        usageError(CARD_ISSUE_CLI, "--municipality must be a 6-digit code"),
      iterations: values.iterations ? Number(values.iterations) : undefined,
      pinless: values.pinless === true,
    });
    return `card written: ${card.out}\n  serial ${card.serial}  municipality ${card.municipalityCode}  ` +
      `resident ${card.residentId}\n  valid until ${card.notAfter}  PIN ${
        values.pinless
          ? "none (face-authentication only)"
          : values.pin
          ? "as given"
          : "1234 (default)"
      }` +
      (card.revoked.length
        ? `\n  re-issue: revoked ${card.revoked.join(", ")}`
        : "");
  });
}
