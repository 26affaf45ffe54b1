/**
 * Test helpers for the ASP: a migrated database with tenants, the app, a
 * sync worker wired to an in-process registry, and the registry's state in
 * the feed's shapes (what a snapshot carries).
 *
 * @module
 */
import { eq } from "drizzle-orm";
import postgres from "postgres";
import type { Database, Db } from "../../lib/db/database.ts";
import { openTestDatabase } from "./test_database.ts";
import { createRenderer, type Renderer } from "../../lib/render/mod.ts";
import { createLogger, type Logger } from "../../lib/service/logger.ts";
import {
  createMetrics,
  type MetricsRegistry,
} from "../../lib/service/metrics.ts";
import { type Clock, fakeClock } from "../../lib/time/clock.ts";
import {
  cardLinks,
  households,
  issuanceBlocks,
  municipalities,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import { replicaResident, replicaSeal } from "../../services/registry/store.ts";
import { makePerson, type TestRegistry } from "./registry_world.ts";
import { createAspApp } from "../../services/asp/app.ts";
import {
  type FormProfile,
  formProfileSchema,
} from "../../lib/contracts/form_profile.ts";
import {
  createReconciler,
  type Reconciler,
  type ReconcilerDeps,
} from "../../services/asp/reconciliation.ts";
import {
  createSigner,
  generateSigningKey,
  type Signer,
} from "../../lib/crypto/signer.ts";
import { requestSigningInput } from "../../lib/contracts/center_asp.ts";
import {
  sha256B64,
  SIGNATURE_HEADER,
  signHeader,
} from "../../lib/contracts/signed_message.ts";
import { aspClients } from "../../services/asp/auth.ts";
import { createKeyring, parseMasterKey } from "../../services/asp/keys.ts";
import type { SnapshotRecord } from "../../services/asp/replica.ts";
import {
  createSyncWorker,
  type SyncHooks,
  type SyncWorker,
} from "../../services/asp/sync_worker.ts";
import {
  CONTROL_MIGRATIONS,
  createTenancy,
  type Tenancy,
  type TenantConfig,
} from "../../services/asp/tenancy.ts";

/** Tokens of the ASP's test callers. */
export const ASP_TOKENS = {
  center: "center-token",
  admin: "admin-token",
} as const;

/**
 * The build digest test nodes state (services/asp/node_identity.ts computes
 * the real one at start; tests of it compute it themselves).
 */
export const TEST_BUILD_DIGEST = "test-build-digest-2026.11";

/** The master key of tests. */
export const TEST_MASTER_KEY = btoa("test-asp-master-key-0123456789ab");

/** The two municipalities of the isolation tests. */
export const TEST_TENANTS: TenantConfig[] = [
  { code: "401005", name: "北九州市", mayor: "北九州市長　武内　和久" },
  { code: "401307", name: "福岡市", mayor: "福岡市長　高島　宗一郎" },
];

let rendererPromise: Promise<Renderer> | undefined;

/** The renderer shared by a test process. */
export function testRenderer(): Promise<Renderer> {
  return rendererPromise ??= createRenderer();
}

/**
 * A signer with one fresh key valid 2025–2040 (a test center's or node's).
 *
 * @example
 * ```ts ignore
 * const center = await testSigner();
 * ```
 */
export async function testSigner(): Promise<Signer> {
  return await createSigner([
    await generateSigningKey({
      notBefore: new Date("2025-01-01T00:00:00Z"),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    }),
  ]);
}

/**
 * The headers the center puts on a request to a node: its `X-Request-Id`
 * and `X-Center-Signature` over the request (signing time: now, or `time`).
 *
 * @example
 * ```ts ignore
 * const headers = await centerRequestHeaders(center, "POST", path, body);
 * ```
 */
export async function centerRequestHeaders(
  signer: Signer,
  method: string,
  path: string,
  body: string | undefined,
  opts: { requestId?: string; time?: string } = {},
): Promise<Record<string, string>> {
  const requestId = opts.requestId ?? `req-${crypto.randomUUID()}`;
  const time = opts.time ?? new Date().toISOString();
  const bodySha256 = await sha256B64(
    new TextEncoder().encode(body ?? ""),
  );
  const { header } = await signHeader(
    signer,
    time,
    requestSigningInput({
      method,
      path: new URL(path, "http://asp.test").pathname,
      requestId,
      time,
      bodySha256,
    }),
  );
  return { "X-Request-Id": requestId, [SIGNATURE_HEADER]: header };
}

/** An ASP under test. */
export interface TestAsp {
  database: Database;
  tenancy: Tenancy;
  clock: Clock & { set(t: string | Date): void; advance(ms: number): void };
  logger: Logger;
  /** Log lines written (JSON). */
  logs: string[];
  metrics: MetricsRegistry;
  app: ReturnType<typeof createAspApp>;
  /** Its live reconciliation with `registry` (when one was given). */
  reconciler?: Reconciler;
  /** The center this node trusts (its signer: tests sign requests with it). */
  centerSigner: Signer;
  /** This node's own signer (its answers' `X-Asp-Signature`). */
  signer: Signer;
  /**
   * Calls the app (token: the center's unless given), signed by the center
   * unless `signer` is null (or another signer: a foreign key).
   */
  call(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; signer?: Signer | null },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Opens an ASP with tenants (default: 401005 and 401307).
 *
 * @example
 * ```ts ignore
 * const asp = await openTestAsp({ clock: reg.clock });
 * try { ... } finally { await asp.close(); }
 * ```
 */
export async function openTestAsp(
  opts: {
    tenants?: TenantConfig[];
    clock?: TestAsp["clock"];
    /** The center to trust (default: a fresh test signer). */
    centerSigner?: Signer;
    /** The build digest the node states (default {@linkcode TEST_BUILD_DIGEST}). */
    buildDigest?: string;
    /** A registry to reconcile with (in process), and the reconciler's options. */
    registry?: TestRegistry;
    reconcile?: Partial<ReconcilerDeps>;
  } = {},
): Promise<TestAsp> {
  const centerSigner = opts.centerSigner ?? await testSigner();
  const signer = await testSigner();
  const centerKeyList = await centerSigner.keyList();
  const database = await openTestDatabase(CONTROL_MIGRATIONS);
  const tenancy = createTenancy({
    database,
    keyring: createKeyring([parseMasterKey("test", TEST_MASTER_KEY)]),
  });
  for (const t of opts.tenants ?? TEST_TENANTS) await tenancy.provision(t);
  const clock = opts.clock ?? fakeClock("2026-11-26T10:00:00+09:00");
  const logs: string[] = [];
  const logger = createLogger({
    service: "asp",
    level: "debug",
    write: (l) => logs.push(l),
  });
  const metrics = createMetrics();
  const reconciler = opts.registry
    ? createReconciler({
      tenancy,
      registryUrl: "http://registry.test",
      token: "asp-token",
      fetch: registryFetch(opts.registry),
      clock,
      logger,
      metrics,
      ...opts.reconcile,
    })
    : undefined;
  const app = createAspApp({
    reconciler,
    tenancy,
    clock,
    clients: aspClients([
      { id: "jlis", token: ASP_TOKENS.center, scopes: ["issue"] },
      { id: "ops", token: ASP_TOKENS.admin, scopes: ["admin"] },
    ]),
    renderer: testRenderer,
    logger,
    metrics,
    signatures: {
      signer,
      centerKeys: () => Promise.resolve(centerKeyList),
      buildDigest: opts.buildDigest ?? TEST_BUILD_DIGEST,
      // A policy changed in a test shows in the next answer.
      tenantConfigTtlMs: 0,
    },
  });
  const call: TestAsp["call"] = async (method, path, o = {}) => {
    const body = o.body !== undefined ? JSON.stringify(o.body) : undefined;
    const by = o.signer === undefined ? centerSigner : o.signer;
    return await app.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${o.token ?? ASP_TOKENS.center}`,
        ...(o.body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(by ? await centerRequestHeaders(by, method, path, body) : {}),
      },
      body,
    });
  };
  return {
    database,
    tenancy,
    clock,
    logger,
    logs,
    metrics,
    app,
    reconciler,
    centerSigner,
    signer,
    call,
    close: async () => {
      await reconciler?.stop();
      await closeAspDatabase(database, tenancy);
    },
  };
}

/** Closes an ASP test database and, on PostgreSQL, drops its tenant roles (roles are cluster-wide). */
export async function closeAspDatabase(
  database: Database,
  tenancy: Tenancy,
): Promise<void> {
  const roles = database.kind === "postgres"
    ? (await tenancy.list()).map((t) => t.roleName)
    : [];
  await database.close();
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!roles.length || !url) return;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const r of roles) {
      await admin.unsafe(`DROP ROLE IF EXISTS "${r}"`).catch(() => {});
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** A fetch that calls the registry app in process. */
export function registryFetch(
  reg: TestRegistry,
): (input: string, init?: RequestInit) => Promise<Response> {
  return async (input, init) => await reg.app.request(input, init);
}

/**
 * A sync worker reading the in-process registry.
 *
 * @example
 * ```ts ignore
 * const worker = testWorker(asp, reg);
 * await worker.catchUp("401005");
 * ```
 */
export function testWorker(
  asp: TestAsp,
  reg: TestRegistry,
  hooks?: SyncHooks,
): SyncWorker {
  return createSyncWorker({
    tenancy: asp.tenancy,
    registryUrl: "http://registry.test",
    token: "asp-token",
    fetch: registryFetch(reg),
    clock: asp.clock,
    logger: asp.logger,
    metrics: asp.metrics,
    retryMinMs: 10,
    retryMaxMs: 50,
    hooks,
  });
}

/**
 * The registry's current state of a municipality in the feed's shapes:
 * what a snapshot (media export) carries.
 *
 * @example
 * ```ts ignore
 * const records = await registryRecords(reg.database.db, "401005");
 * ```
 */
export async function registryRecords(
  db: Db,
  code: string,
): Promise<SnapshotRecord[]> {
  const [policy] = await db.select().from(municipalities).where(
    eq(municipalities.code, code),
  );
  const out: SnapshotRecord[] = [];
  for (
    const h of await db.select().from(households).where(
      eq(households.municipalityCode, code),
    )
  ) {
    out.push({ kind: "household", data: { ...h } });
  }
  for (
    const r of await db.select().from(residents).where(
      eq(residents.municipalityCode, code),
    )
  ) {
    out.push({ kind: "resident", data: replicaResident(r, policy) });
  }
  for (
    const s of await db.select().from(sealRegistrations).where(
      eq(sealRegistrations.municipalityCode, code),
    )
  ) {
    out.push({ kind: "seal", data: replicaSeal(s) });
  }
  for (
    const b of await db.select().from(issuanceBlocks).where(
      eq(issuanceBlocks.municipalityCode, code),
    )
  ) {
    out.push({ kind: "block", data: { ...b } });
  }
  for (
    const c of await db.select().from(cardLinks).where(
      eq(cardLinks.municipalityCode, code),
    )
  ) {
    out.push({ kind: "card", data: { ...c } });
  }
  return out;
}

/** Posts a registry change event as the city window; returns the committed body. */
export async function registryEvent(
  reg: TestRegistry,
  code: string,
  body: Record<string, unknown>,
): Promise<{ seq: number; residentIds: string[] }> {
  const res = await reg.call("POST", `/municipalities/${code}/events`, {
    body,
  });
  const json = await res.json();
  if (res.status !== 201) {
    throw new Error(
      `registry refused ${String(body.type)}: ${res.status} ${
        JSON.stringify(json)
      }`,
    );
  }
  return json;
}

/** Asserts that a promise rejects with a database error matching `re` (Drizzle wraps the cause). */
export async function rejectsWithDb(
  p: Promise<unknown>,
  re: RegExp,
  label = "",
): Promise<void> {
  try {
    await p;
  } catch (err) {
    let text = "";
    for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
      text += ` ${(e as Error).message ?? e}`;
    }
    if (!re.test(text)) {
      throw new Error(
        `${label} rejected with '${text.trim()}', expected ${re}`,
      );
    }
    return;
  }
  throw new Error(`${label} did not reject (expected ${re})`);
}

/**
 * Asks the ASP for the applicant's own 住民票 in municipality `code` (no 本籍,
 * 続柄 or マイナンバー, no PDF; issue number `<code>-20261126-000001`): the
 * status and the JSON body, whatever the answer.
 */
export async function requestOwnJuminhyo(
  asp: TestAsp,
  code: string,
  applicant: string,
) {
  const res = await asp.call("POST", `/tenants/${code}/certificates`, {
    body: {
      requestId: `req-${crypto.randomUUID()}`,
      applicantResidentId: applicant,
      type: "juminhyo",
      members: "self",
      options: { honseki: false, zokugara: false, myNumber: false },
      issueNumber: `${code}-20261126-000001`,
      issuedAt: "2026-11-26T10:00:00+09:00",
      includePdf: false,
    },
  });
  return { status: res.status, body: await res.json() };
}

/** Calls a registry endpoint as the city window and returns the JSON body (throws unless 2xx). */
export async function registryCall(
  reg: TestRegistry,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await reg.call(method, path, { body });
  const json = await res.json();
  if (res.status >= 300) {
    throw new Error(
      `registry ${method} ${path}: ${res.status} ${JSON.stringify(json)}`,
    );
  }
  return json;
}

/** A household of three in the registry: householder (1980), spouse (1982), child (2015). */
export async function registryFamily(
  reg: TestRegistry,
  code: string,
  over: { address?: string; date?: string; person?: Record<string, unknown> } =
    {},
): Promise<
  { householder: string; spouse: string; child: string; householdId: string }
> {
  const date = over.date ?? "2026-11-20";
  const a = await registryEvent(reg, code, {
    type: "tennyu",
    date,
    person: makePerson({ ...over.person }),
    previousAddress: "東京都千代田区千代田１番１号",
    address: over.address ?? "福岡県北九州市小倉北区城内１番１号",
    katagaki: "城内ハイツ１０１号",
  });
  const householder = a.residentIds[0];
  const [row] = await reg.database.db.select().from(residents).where(
    eq(residents.id, householder),
  );
  const b = await registryEvent(reg, code, {
    type: "tennyu",
    date,
    person: makePerson({
      name: "山田　花子",
      nameKana: "ヤマダ　ハナコ",
      sex: "female",
      birthDate: "1982-05-05",
    }),
    previousAddress: "東京都千代田区千代田１番１号",
    householdId: row.householdId,
    relationship: "妻",
  });
  const c = await registryEvent(reg, code, {
    type: "shussei",
    date: "2015-06-06",
    person: makePerson({
      name: "山田　一郎",
      nameKana: "ヤマダ　イチロウ",
      birthDate: "2015-06-06",
    }),
    householdId: row.householdId,
    relationship: "子",
  });
  return {
    householder,
    spouse: b.residentIds[0],
    child: c.residentIds[0],
    householdId: row.householdId,
  };
}

/**
 * Prints a tenant with a form profile, as its directory row will carry it
 * once the feed brings the registry's profile (`formProfile`, read through
 * services/asp/tenancy.ts `formProfileOf`): every `state()` read of
 * that tenant in `tenancy` carries the profile from now on.
 *
 * @example
 * ```ts ignore
 * useFormProfile(w.nodes[0].asp.tenancy, "401005", { householdFormat: "renki" });
 * ```
 */
export function useFormProfile(
  tenancy: Tenancy,
  code: string,
  profile: Partial<FormProfile>,
): void {
  const formProfile = formProfileSchema.parse(profile);
  const inner = tenancy.withTenant.bind(tenancy);
  tenancy.withTenant = (c, fn) =>
    inner(c, (tx, scope) =>
      fn(
        tx,
        c !== code ? scope : {
          ...scope,
          state: async (o) => ({ ...await scope.state(o), formProfile }),
        },
      ));
}
