/**
 * Test helpers for the center: one database shared by one or more app
 * instances (separate connection pools on PostgreSQL), a fake clock, an
 * in-memory CA and signer, client tokens, and a card factory.
 *
 * @module
 */
import postgres from "postgres";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { openTestDatabase } from "./test_database.ts";
import { type Card, createCardRequest } from "../../lib/card/card.ts";
import {
  bindingDigest,
  type BindingKeys,
  type HolderIdentity,
} from "../../lib/card/identity_binding.ts";
import {
  createSigner,
  generateSigningKey,
  type Signer,
} from "../../lib/crypto/signer.ts";
import { createMetrics } from "../../lib/service/metrics.ts";
import { type Logger, silentLogger } from "../../lib/service/logger.ts";
import { fakeClock } from "../../lib/time/clock.ts";
import type { IssuanceConfig } from "../../services/jlis/api/common.ts";
import { createJlisApp } from "../../services/jlis/app.ts";
import { jlisClients } from "../../services/jlis/auth.ts";
import {
  type CardAuthority,
  createEphemeralCardAuthority,
} from "../../services/jlis/cards/card_authority.ts";

/**
 * The card-binding keys of the test municipalities (fixed test bytes, one
 * per code): what each municipality shares with the center.
 */
export const testBindingKeys: BindingKeys = (code) =>
  /^\d{6}$/.test(code)
    ? new TextEncoder().encode(`test-binding-key-${code}-0123456789abcdef`)
    : null;

/** The holder binding of `holder` for a card of municipality `code` (test keys). */
export function testBinding(code: string, holder: HolderIdentity): string {
  return bindingDigest(testBindingKeys(code)!, holder);
}

/** The holder a card is bound to when a test names none (never a resident of the worlds). */
export const NOBODY: HolderIdentity = {
  name: "試験　無人",
  birthDate: "1900-01-01",
  sex: "female",
};

/** Tokens of the test clients. */
export const TOKENS = {
  kiosk: "kiosk-0001-token",
  kiosk2: "kiosk-0002-token",
  stop: "emergency-line-token",
  city: "city-401005-token",
  otherCity: "city-401307-token",
  portal: "portal-token-0001",
  operator: "operator-token-0001",
} as const;

/** Kiosks of the fleet every test center knows (load tests). */
export const KIOSK_FLEET = 200;

/** Id of fleet kiosk `i`. */
export function fleetKioskId(i: number): string {
  return `kiosk-f${String(i).padStart(4, "0")}`;
}

/** Token of fleet kiosk `i`. */
export function fleetKioskToken(i: number): string {
  return `fleet-kiosk-token-${String(i).padStart(4, "0")}`;
}

/** The folder of the center's migrations. */
export const JLIS_MIGRATIONS =
  new URL("../../db/migrations/jlis", import.meta.url).pathname;

/** PBKDF2 iterations for test cards (the floor; real cards use 600,000). */
export const TEST_PIN_ITERATIONS = 1000;

/** A center under test. */
export interface TestJlis {
  /** The database handle of each instance (one per instance on PostgreSQL). */
  databases: Database[];
  /** One app per instance, all on the same database. */
  apps: ReturnType<typeof createJlisApp>[];
  clock: ReturnType<typeof fakeClock>;
  authority: CardAuthority;
  signer: Signer;
  /** Calls instance `instance` (default 0) as a client. */
  call(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; instance?: number },
  ): Promise<Response>;
  /**
   * Issues a card through `POST /cards`, bound to `holder` (default
   * {@linkcode NOBODY}), and writes it to a temporary file.
   */
  issueCard(
    opts?: {
      municipalityCode?: string;
      pin?: string;
      token?: string;
      holder?: HolderIdentity;
    },
  ): Promise<Card>;
  close(): Promise<void>;
}

async function openSharedDatabases(
  n: number,
): Promise<{ handles: Database[]; close(): Promise<void> }> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) {
    const database = await openTestDatabase(JLIS_MIGRATIONS);
    return { handles: Array(n).fill(database), close: () => database.close() };
  }
  const name = `t_jlis_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  const handles: Database[] = [];
  for (let i = 0; i < n; i++) {
    handles.push(await openDatabase({ url: u.toString(), max: 4 }));
  }
  await handles[0].migrate(JLIS_MIGRATIONS);
  return {
    handles,
    async close() {
      for (const h of handles) await h.close();
      const a = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Opens a center with `instances` app instances on one database.
 *
 * @example
 * ```ts ignore
 * const jlis = await openTestJlis({ instances: 2 });
 * try { ... } finally { await jlis.close(); }
 * ```
 */
export async function openTestJlis(
  opts: {
    instances?: number;
    sessionTtlMs?: number;
    authority?: CardAuthority;
    /** A clock shared with the other services of a test (default: a fake one). */
    clock?: ReturnType<typeof fakeClock>;
    /** Issuance (ASP directory, content key…), built with the test signer. */
    issuance?: (signer: Signer) => IssuanceConfig | Promise<IssuanceConfig>;
    /** The center's logger (default: silent); tests that read the logs pass one. */
    logger?: Logger;
    /** The center's signer (default: a fresh key valid 2025–2040). */
    signer?: Signer;
  } = {},
): Promise<TestJlis> {
  const n = opts.instances ?? 1;
  const clock = opts.clock ?? fakeClock("2026-11-26T10:00:00+09:00");
  const shared = await openSharedDatabases(n);
  const authority = opts.authority ??
    await createEphemeralCardAuthority({
      clock,
      notBefore: new Date("2025-01-01T00:00:00Z"),
    });
  const signer = opts.signer ?? await createSigner([
    await generateSigningKey({
      notBefore: new Date("2025-01-01T00:00:00Z"),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    }),
  ], { clock });
  const issuance = opts.issuance ? await opts.issuance(signer) : undefined;
  const clients = jlisClients([
    { id: "kiosk-0001", token: TOKENS.kiosk, scopes: ["kiosk"] },
    { id: "kiosk-0002", token: TOKENS.kiosk2, scopes: ["kiosk"] },
    { id: "emergency-line", token: TOKENS.stop, scopes: ["stop"] },
    { id: "portal", token: TOKENS.portal, scopes: ["portal"] },
    { id: "ops", token: TOKENS.operator, scopes: ["operator"] },
    ...Array.from({ length: KIOSK_FLEET }, (_, i) => ({
      id: fleetKioskId(i),
      token: fleetKioskToken(i),
      scopes: ["kiosk" as const],
      store: `store-${String(i % 40).padStart(3, "0")}`,
    })),
    {
      id: "city-401005",
      token: TOKENS.city,
      scopes: ["municipal"],
      municipalities: ["401005"],
    },
    {
      id: "city-401307",
      token: TOKENS.otherCity,
      scopes: ["municipal"],
      municipalities: ["401307"],
    },
  ]);
  const apps = shared.handles.map((database) =>
    createJlisApp({
      db: database.db,
      clock,
      clients,
      authority,
      signer,
      sessionTtlMs: opts.sessionTtlMs,
      issuance,
      logger: opts.logger ?? silentLogger(),
      metrics: createMetrics(),
    })
  );
  const dir = await Deno.makeTempDir({ prefix: "jlis-cards-" });
  const call: TestJlis["call"] = async (method, path, o = {}) =>
    await apps[o.instance ?? 0].request(path, {
      method,
      headers: {
        Authorization: `Bearer ${o.token ?? TOKENS.kiosk}`,
        ...(o.body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
    });
  let cardNo = 0;
  return {
    databases: shared.handles,
    apps,
    clock,
    authority,
    signer,
    call,
    async issueCard(o = {}) {
      const req = await createCardRequest();
      const code = o.municipalityCode ?? "401005";
      const res = await call("POST", "/cards", {
        token: o.token ?? TOKENS.city,
        body: {
          municipalityCode: code,
          csrPem: req.csrPem,
          holderBinding: testBinding(code, o.holder ?? NOBODY),
        },
      });
      const body = await res.json();
      if (res.status !== 201) {
        throw new Error(`POST /cards: ${res.status} ${JSON.stringify(body)}`);
      }
      return await req.write(`${dir}/card-${++cardNo}.json`, {
        certificatePem: body.certificatePem,
        pin: o.pin ?? "1234",
        iterations: TEST_PIN_ITERATIONS,
      });
    },
    async close() {
      await shared.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Runs the kiosk side of card authentication on instance `instance`: opens a
 * session, lets the card sign its nonce with `pin`, presents the result.
 * Card refusals (wrong PIN…) throw `CardError` before the center is asked.
 *
 * @example
 * ```ts ignore
 * const res = await kioskAuthenticate(jlis, card, "1234");
 * ```
 */
export async function kioskAuthenticate(
  jlis: TestJlis,
  card: Card,
  pin: string,
  opts: { instance?: number; token?: string } = {},
): Promise<Response> {
  const open = await jlis.call("POST", "/kiosk/sessions", {
    ...opts,
    body: {},
  });
  const session = await open.json();
  if (open.status !== 201) {
    throw new Error(
      `POST /kiosk/sessions: ${open.status} ${JSON.stringify(session)}`,
    );
  }
  const signature = await card.sign(pin, session.nonce);
  return await jlis.call(
    "POST",
    `/kiosk/sessions/${session.sessionId}/authenticate`,
    {
      ...opts,
      body: {
        certificatePem: card.certificatePem,
        signature: signature.toBase64(),
      },
    },
  );
}
