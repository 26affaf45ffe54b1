/**
 * What the municipal window scripts (`card:issue`, `card:pin-reset`,
 * `card:continue`) share: the HTTP call and the refusal text, the record of
 * the identity check at the window, the handling of their common options,
 * and the run of the script's main over the window's mutual TLS client.
 *
 * @module
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { type CliSpec, usageError } from "../lib/service/cli.ts";
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
  required: readonly string[],
): void {
  const missing = required.filter((k) => !values[k]);
  if (missing.length) {
    usageError(spec, `${missing.map((k) => `--${k}`).join(", ")} required`);
  }
}

/**
 * The `--verified-at` option as a date (undefined when not given); exits 2
 * with the usage when it is not an ISO date-time.
 */
export function verifiedAtOption<O extends ParseArgsOptionsConfig>(
  spec: CliSpec<O>,
  values: { "verified-at"?: string },
): Date | undefined {
  const verifiedAt = values["verified-at"]
    ? new Date(values["verified-at"])
    : undefined;
  if (verifiedAt && Number.isNaN(verifiedAt.getTime())) {
    usageError(spec, "--verified-at must be an ISO date-time");
  }
  return verifiedAt;
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

/**
 * Runs a window script's main: opens the window's mutual TLS client
 * (certificate `city-<code>` from `certsDir`), runs `work` with it and
 * prints what it returns; on an error prints `<task>: <message>` and exits
 * 1. The client is closed in any case.
 *
 * @example
 * ```ts ignore
 * await runAtWindow("card:pin-reset", values.municipality!, values.certs, async (f) => {
 *   const done = await resetCardPinAtWindow({ fetch: f, ... });
 *   return `PIN reset: ${done.serial}`;
 * });
 * ```
 */
export async function runAtWindow(
  task: string,
  municipalityCode: string,
  certsDir: string | undefined,
  work: (f: typeof fetch) => Promise<string>,
): Promise<void> {
  let window;
  try {
    window = await cityWindowFetch(Deno.env, municipalityCode, certsDir);
  } catch (err) {
    console.error(`${task}: ${(err as Error).message}`);
    Deno.exit(1);
  }
  try {
    console.log(await work(window));
  } catch (err) {
    console.error(`${task}: ${(err as Error).message}`);
    Deno.exit(1);
  } finally {
    window.close();
  }
}
