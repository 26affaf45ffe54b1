/**
 * What the municipal window scripts (`card:issue`, `card:pin-reset`,
 * `card:continue`) share: the HTTP call and the refusal text, the record of
 * the identity check at the window, the handling of their common options,
 * and the run of the script's main over the window's mutual TLS client.
 *
 * @module
 */
import type { ParseArgsOptionsConfig } from "node:util";
import {
  type CliSpec,
  type CliValues,
  parseCli,
  usageError,
} from "../lib/service/cli.ts";
import { cityWindowFetch } from "../lib/tls/mod.ts";

/**
 * One call of a municipal window script: GET without a body, POST JSON with
 * one; a bearer token only where one is kept besides the certificate. Never
 * throws on an answer: a body that is not JSON becomes `{ message_en }`.
 *
 * @example
 * ```ts ignore
 * const r = await windowCall(fetch, `${centerUrl}/cards`, undefined, { municipalityCode, csrPem });
 * if (r.status !== 201) throw new Error(describeAnswer(r));
 * ```
 */
export async function windowCall(
  f: typeof fetch,
  url: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await f(url, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { message_en: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed };
}

/** An answer in one line: status, code and both messages. */
export const describeAnswer = (
  r: { status: number; body: Record<string, unknown> },
) =>
  `${r.status} ${r.body.code ?? ""} ${r.body.message_ja ?? ""} ${
    r.body.message_en ?? ""
  }`.trim();

/**
 * The options every window script takes, for its `CliSpec`: the
 * municipality (`--municipality`, whose window certificate is used), the
 * certificates' directory (`--certs`) and the center ({@linkcode centerOptions}).
 */
export const WINDOW_OPTIONS = {
  municipality: { type: "string" },
  center: { type: "string" },
  "center-token": { type: "string" },
  certs: { type: "string" },
} as const;

/** The registry's options ({@linkcode registryOptions}), for a `CliSpec`. */
export const REGISTRY_OPTIONS = {
  registry: { type: "string" },
  "registry-token": { type: "string" },
} as const;

/**
 * The options of the identity check at the window (`--method`,
 * `--verified-by`, `--window-officer`, `--verified-at`), for a script's
 * `CliSpec`; all but `--verified-at` are required
 * ({@linkcode VERIFICATION_REQUIRED}).
 */
export const VERIFICATION_OPTIONS = {
  method: { type: "string" },
  "verified-by": { type: "string" },
  "window-officer": { type: "string" },
  "verified-at": { type: "string" },
} as const;

/** The required options of {@linkcode VERIFICATION_OPTIONS}. */
export const VERIFICATION_REQUIRED = [
  "method",
  "verified-by",
  "window-officer",
] as const;

/** The identity check at the window, as a script's options give it. */
export interface WindowVerification {
  /** The identity document shown (services/jlis/cards/cards.ts IDENTITY_DOCUMENTS). */
  method: string;
  /** Staff id of the officer who inspected it. */
  verifiedBy: string;
  /** Staff id of the officer responsible for the procedure. */
  windowOfficer: string;
  /** When it was inspected (default: now). */
  verifiedAt?: Date;
}

/**
 * The `verification` part of a request to the center: the identity check,
 * its time in ISO form (now when none is given).
 *
 * @example
 * ```ts
 * const v = verificationRecord({ method: "運転免許証", verifiedBy: "staff-0042", windowOfficer: "staff-0007" });
 * ```
 */
export const verificationRecord = (v: WindowVerification) => ({
  method: v.method,
  verifiedBy: v.verifiedBy,
  windowOfficer: v.windowOfficer,
  verifiedAt: (v.verifiedAt ?? new Date()).toISOString(),
});

/**
 * Exits 2 with the usage when any of `required` is missing from `values`
 * (`--a, --b required`).
 */
export function requireOptions<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  values: Record<string, unknown>,
  ...required: readonly string[]
): void {
  const missing = required.filter((k) => !values[k]);
  if (missing.length) {
    usageError(spec, `${missing.map((k) => `--${k}`).join(", ")} required`);
  }
}

/**
 * The identity check as the options of {@linkcode VERIFICATION_OPTIONS}
 * give it, after checking `required` and the identity check's own
 * ({@linkcode requireOptions}); exits 2 with the usage when one is missing
 * or `--verified-at` is not an ISO date-time.
 */
export function verificationOptions<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  values: {
    method?: string;
    "verified-by"?: string;
    "window-officer"?: string;
    "verified-at"?: string;
  },
  ...required: readonly string[]
): WindowVerification {
  requireOptions(spec, values, ...required, ...VERIFICATION_REQUIRED);
  const verifiedAt = values["verified-at"]
    ? new Date(values["verified-at"])
    : undefined;
  if (verifiedAt && Number.isNaN(verifiedAt.getTime())) {
    usageError(spec, "--verified-at must be an ISO date-time");
  }
  return {
    method: values.method!,
    verifiedBy: values["verified-by"]!,
    windowOfficer: values["window-officer"]!,
    verifiedAt,
  };
}

/**
 * Parses a window script's arguments by `spec` ({@linkcode parseCli}) and
 * returns them with the identity check ({@linkcode verificationOptions});
 * `--municipality` and `required` must be given.
 *
 * @example
 * ```ts ignore
 * const { values, verification } = parseWindowCli(CARD_PIN_RESET_CLI, "card", "new-pin");
 * ```
 */
export function parseWindowCli<
  O extends typeof WINDOW_OPTIONS & typeof VERIFICATION_OPTIONS,
>(
  spec: CliSpec<O>,
  ...required: readonly (keyof O & string)[]
): { values: CliValues<O>; verification: WindowVerification } {
  const { values } = parseCli(spec);
  const verification = verificationOptions(
    spec,
    values as Record<string, string | undefined>,
    "municipality",
    ...required,
  );
  return { values, verification };
}

/**
 * The center's address and the municipal token: `--center`, `$JLIS_URL` or
 * https://localhost:8103; `--center-token` or `$JLIS_MUNICIPAL_TOKEN`.
 */
export const centerOptions = (
  values: { center?: string; "center-token"?: string },
  env: { get(k: string): string | undefined } = Deno.env,
) => ({
  centerUrl: values.center ?? env.get("JLIS_URL") ?? "https://localhost:8103",
  centerToken: values["center-token"] ?? env.get("JLIS_MUNICIPAL_TOKEN"),
});

/**
 * The registry's address and token: `--registry`, `$REGISTRY_URL` or
 * https://localhost:8111; `--registry-token` or `$REGISTRY_TOKEN`.
 */
export const registryOptions = (
  values: { registry?: string; "registry-token"?: string },
  env: { get(k: string): string | undefined } = Deno.env,
) => ({
  registryUrl: values.registry ?? env.get("REGISTRY_URL") ??
    "https://localhost:8111",
  registryToken: values["registry-token"] ?? env.get("REGISTRY_TOKEN"),
});

/** What a window script's work gets from {@linkcode runAtWindow}. */
export interface AtWindow {
  /** The window's mutual TLS client. */
  fetch: typeof fetch;
  /** `--municipality`. */
  municipalityCode: string;
  /** The center ({@linkcode centerOptions}). */
  centerUrl: string;
  centerToken?: string;
}

/**
 * Runs a window script's main: opens the window's mutual TLS client
 * (certificate `city-<--municipality>` from `--certs`), runs `work` with it,
 * the municipality and the center's options, and prints what it returns;
 * on an error prints `<task>: <message>` and exits 1. The client is closed
 * in any case.
 *
 * @example
 * ```ts ignore
 * await runAtWindow(CARD_PIN_RESET_CLI, values, async (at) => {
 *   const done = await resetCardPinAtWindow({ ...at, ... });
 *   return `PIN reset: ${done.serial}`;
 * });
 * ```
 */
export async function runAtWindow(
  { task }: { task: string },
  values: {
    municipality?: string;
    certs?: string;
    center?: string;
    "center-token"?: string;
  },
  work: (at: AtWindow) => Promise<string>,
): Promise<void> {
  let window;
  try {
    window = await cityWindowFetch(
      Deno.env,
      values.municipality!,
      values.certs,
    );
  } catch (err) {
    console.error(`${task}: ${(err as Error).message}`);
    Deno.exit(1);
  }
  try {
    console.log(
      await work({
        fetch: window,
        municipalityCode: values.municipality!,
        ...centerOptions(values),
      }),
    );
  } catch (err) {
    console.error(`${task}: ${(err as Error).message}`);
    Deno.exit(1);
  } finally {
    window.close();
  }
}
