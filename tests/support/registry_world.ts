/**
 * Test helpers for the registry: a fresh database, the app, clients, and
 * small factories for requests.
 *
 * @module
 */
import { openTestDatabase } from "./test_database.ts";
import type { Database } from "../../lib/db/database.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { type Logger, silentLogger } from "../../lib/service/logger.ts";
import { type Clock, fakeClock } from "../../lib/time/clock.ts";
import { createRegistryApp } from "../../services/registry/app.ts";
import { clientsFromTokens } from "../../services/registry/auth.ts";
import { createFeedNotifier } from "../../services/registry/feed_notifier.ts";

/** Tokens of the test clients. */
export const TOKENS = {
  admin: "admin-token",
  city: "city-token",
  asp: "asp-token",
  reader: "reader-token",
} as const;

/** The municipalities the test clients act for (a listed set each). */
export const TEST_MUNICIPALITIES = ["401005", "401307"];

/** The folder of the registry's migrations. */
export const REGISTRY_MIGRATIONS =
  new URL("../../db/migrations/registry", import.meta.url).pathname;

/** A registry under test. */
export interface TestRegistry {
  database: Database;
  app: ReturnType<typeof createRegistryApp>;
  clock: Clock & { set(t: string | Date): void; advance(ms: number): void };
  /** Calls the app as a client. */
  call(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Opens a registry with one or more municipalities.
 *
 * @example
 * ```ts ignore
 * const reg = await openTestRegistry(["401005"]);
 * try { ... } finally { await reg.close(); }
 * ```
 */
export async function openTestRegistry(
  codes: string[] = ["401005"],
  opts: {
    /** The registry's logger (default: silent); tests that read the logs pass one. */
    logger?: Logger;
  } = {},
): Promise<TestRegistry> {
  const database = await openTestDatabase(REGISTRY_MIGRATIONS);
  const clock = fakeClock("2026-11-26T10:00:00+09:00");
  const clients = clientsFromTokens([
    { id: "admin", token: TOKENS.admin, scopes: ["admin"] },
    {
      id: "city-window",
      token: TOKENS.city,
      scopes: ["read", "write", "card_link"],
      municipalities: TEST_MUNICIPALITIES,
    },
    {
      id: "asp",
      token: TOKENS.asp,
      scopes: ["feed"],
      municipalities: TEST_MUNICIPALITIES,
    },
    {
      id: "reader",
      token: TOKENS.reader,
      scopes: ["read"],
      municipalities: TEST_MUNICIPALITIES,
    },
  ]);
  const app = createRegistryApp({
    db: database.db,
    clock,
    clients,
    notifier: createFeedNotifier(),
    logger: opts.logger ?? silentLogger(),
    metrics: createMetrics(),
    maxFeedWaitMs: 2000,
  });
  const call: TestRegistry["call"] = async (method, path, opts = {}) =>
    await app.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${opts.token ?? TOKENS.city}`,
        ...(opts.body !== undefined
          ? { "Content-Type": "application/json" }
          : {}),
        ...opts.headers,
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
  const names: Record<string, [string, string]> = {
    "401005": ["北九州市", "北九州市長　武内　和久"],
    "401307": ["福岡市", "福岡市長　高島　宗一郎"],
  };
  for (const code of codes) {
    const [name, mayor] = names[code] ?? [`市${code}`, `市長${code}`];
    const res = await call("PUT", `/municipalities/${code}`, {
      token: TOKENS.admin,
      // No same-day hold here: the worlds build their population through
      // the API on the very (fake) day they issue; the tests of the
      // same-day rule set the policy themselves.
      body: { name, mayor, printMyNumberAtKiosk: false, sameDayEventTypes: [] },
    });
    await res.body?.cancel();
    if (res.status !== 200) {
      throw new Error(`cannot create municipality ${code}: ${res.status}`);
    }
  }
  return { database, app, clock, call, close: () => database.close() };
}

let counter = 0;

/** A person for 転入/出生 bodies, unique resident code each call. */
export function makePerson(
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  counter++;
  return {
    name: "山田　太郎",
    nameKana: "ヤマダ　タロウ",
    birthDate: "1980-04-01",
    sex: "male",
    honseki: "福岡県北九州市小倉北区城内１番",
    hittousha: "山田　一郎",
    residentCode: String(
      10_000_000_000 + counter * 7919 +
        Math.floor(Math.random() * 1000) * 100_000,
    ).slice(0, 11),
    ...over,
  };
}

/** Reads a JSON body (consuming it). */
export async function json<T = Record<string, unknown>>(
  res: Response,
): Promise<T> {
  return await res.json() as T;
}
