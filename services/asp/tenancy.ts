/**
 * Tenants isolated by the database. Each municipality has its own
 * PostgreSQL schema (`t_401005`) holding its tables and its own NOLOGIN role
 * with rights on that schema only. Every tenant operation runs in a
 * transaction that first does `SET LOCAL ROLE <tenant role>` and
 * `SET LOCAL search_path TO <tenant schema>`: a query that names another
 * tenant's table is refused by PostgreSQL (permission denied), and row-level
 * security on `control.tenants` and `control.audit_log` lets the role see and
 * advance only its own directory row and audit only under its own code.
 *
 * The per-tenant tables come from `db/migrations/asp_tenant` (drizzle-kit,
 * from `db/asp/tenant_schema.ts`), applied inside the tenant's schema; the
 * directory row records how many of them were applied, so every tenant runs
 * the same DDL after an upgrade.
 *
 * @module
 */
import type { MunicipalityFeedPolicy } from "../../lib/contracts/registry_feed.ts";
import {
  DEFAULT_FORM_PROFILE,
  type FormProfile,
} from "../../lib/contracts/form_profile.ts";
import { eq, sql } from "drizzle-orm";
import {
  type Database,
  type Db,
  rowsOf,
  type Tx,
} from "../../lib/db/database.ts";
import { auditLog, type Tenant, tenants } from "../../db/asp/schema.ts";
import { preparedSelect } from "../../lib/db/prepared_select.ts";
import { residents } from "../../db/asp/tenant_schema.ts";
import { AspError } from "./errors.ts";
import type { Keyring, TenantCipher } from "./keys.ts";

/** The control schema's migrations (drizzle-kit). */
export const CONTROL_MIGRATIONS =
  new URL("../../db/migrations/asp", import.meta.url).pathname;
/** The per-tenant DDL (drizzle-kit), applied inside each tenant's schema. */
export const TENANT_MIGRATIONS =
  new URL("../../db/migrations/asp_tenant", import.meta.url).pathname;

/** Default bound on the time without news from the registry (s). */
export const STALENESS_MAX_SECONDS = 5;

/**
 * A municipality's contract with the ASP: who it is and its operational
 * settings. Its name, mayor, form profile and kiosk rules are not here: the
 * registry's municipality record is their one source, carried on every feed
 * answer (`tenantPolicyColumns`).
 */
export interface TenantConfig {
  /** 6-digit local government code. */
  code: string;
  /**
   * The name and mayor a NEW tenant starts with, for a replica loaded
   * without a registry (tools, tests); the start-up configuration never sets
   * them (services/asp/config.ts), the first feed answer replaces them, and
   * provisioning an existing tenant never touches them.
   */
  name?: string;
  /** See `name`. */
  mayor?: string;
  /** Whether 個人番号 may be printed (default false: never stored). */
  printMyNumber?: boolean;
  /**
   * Years a removed record (除票) stays in the replica (default 5): the
   * municipality's setting. The registry keeps 除票 150 years (since 2019);
   * the replica needs them only for kiosk copies of recent removals
   * (services/asp/retention.ts states the basis).
   */
  retentionYears?: number;
  /** Refuse issuance when more than this many events behind the head (default 0). */
  stalenessMaxEvents?: number;
  /**
   * Refuse issuance when nothing (no events, no heartbeat) was heard from
   * the registry for longer than this (default 5 s; heartbeats come every second).
   */
  stalenessMaxSeconds?: number;
}

/** What a tenant operation gets besides its transaction. */
export interface TenantScope {
  readonly code: string;
  readonly schemaName: string;
  readonly roleName: string;
  /** Seals and opens this tenant's personal fields. */
  readonly cipher: TenantCipher;
  /** The tenant's directory row, read as the tenant's role (optionally locked). */
  state(opts?: { lock?: "update" | "share" }): Promise<Tenant>;
}

/** An audit record. */
export interface AuditRecord {
  tenantCode: string | null;
  actor: string;
  action: string;
  requestId?: string | null;
  subject?: string | null;
  outcome?: string;
  details?: unknown;
  at?: Date;
}

/** The tenant directory and the way into a tenant. */
export interface Tenancy {
  readonly database: Database;
  readonly db: Db;
  readonly keyring: Keyring;
  /** Creates a tenant (schema, role, data key, tables) or updates its policy. */
  provision(cfg: TenantConfig): Promise<Tenant>;
  /** Runs `fn` in one transaction as the tenant's role, inside its schema. */
  withTenant<T>(
    code: string,
    fn: (tx: Tx, scope: TenantScope) => Promise<T>,
  ): Promise<T>;
  /** All directory rows (service role). */
  list(): Promise<Tenant[]>;
  /** One directory row (service role), or TENANT_NOT_FOUND. */
  get(code: string): Promise<Tenant>;
  /** Applies newer per-tenant DDL to every tenant. */
  upgradeAll(): Promise<void>;
}

const CODE_RE = /^\d{6}$/;
const IDENT_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a checked identifier. */
export function ident(name: string): string {
  if (!IDENT_RE.test(name)) {
    throw new RangeError(`Unsafe SQL identifier '${name}'`);
  }
  return `"${name}"`;
}

export { rowsOf };

/** The schema of a tenant. */
export function tenantSchemaName(code: string): string {
  return `t_${code}`;
}

interface Ddl {
  statements: string[][];
}

let ddlPromise: Promise<Ddl> | undefined;

/** The per-tenant DDL, one array of statements per migration, in order. */
export function loadTenantDdl(folder = TENANT_MIGRATIONS): Promise<Ddl> {
  if (folder !== TENANT_MIGRATIONS) return readDdl(folder);
  return ddlPromise ??= readDdl(folder);
}

async function readDdl(folder: string): Promise<Ddl> {
  const journal = JSON.parse(
    await Deno.readTextFile(`${folder}/meta/_journal.json`),
  ) as {
    entries: { idx: number; tag: string }[];
  };
  const statements: string[][] = [];
  for (const e of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
    const text = await Deno.readTextFile(`${folder}/${e.tag}.sql`);
    statements.push(
      text.split("--> statement-breakpoint").map((s) => s.trim()).filter(
        Boolean,
      ),
    );
  }
  return { statements };
}

/**
 * Applies the per-tenant DDL from `fromVersion` inside `schemaName` and
 * grants the tenant role what it needs there and in `control`.
 */
export async function applyTenantDdl(
  tx: Tx,
  schemaName: string,
  roleName: string,
  fromVersion: number,
): Promise<number> {
  const ddl = await loadTenantDdl();
  await tx.execute(sql.raw(`SET LOCAL search_path TO ${ident(schemaName)}`));
  for (const migration of ddl.statements.slice(fromVersion)) {
    for (const stmt of migration) await tx.execute(sql.raw(stmt));
  }
  await tx.execute(sql.raw(`RESET search_path`));
  const s = ident(schemaName);
  const r = ident(roleName);
  for (
    const stmt of [
      `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`,
      `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
      `GRANT USAGE ON SCHEMA control TO ${r}`,
      `GRANT SELECT ON control.tenants TO ${r}`,
      // The policy columns: the sync worker follows the registry's record.
      `GRANT UPDATE (applied_seq, applied_at, head_seq, head_seen_at, same_day_event_types, household_move_out_policy, print_my_number, gaiji_version, name, mayor, form_profile) ON control.tenants TO ${r}`,
      `GRANT INSERT ON control.audit_log TO ${r}`,
      `GRANT USAGE ON SEQUENCE control.audit_log_id_seq TO ${r}`,
    ]
  ) await tx.execute(sql.raw(stmt));
  return ddl.statements.length;
}

/**
 * Writes an audit record (as the caller's role: inside a tenant transaction
 * the database only accepts the tenant's own code).
 */
export async function writeAudit(
  db: Db | Tx,
  rec: AuditRecord | AuditRecord[],
): Promise<void> {
  const recs = Array.isArray(rec) ? rec : [rec];
  if (!recs.length) return;
  // The records travel as one JSON parameter: the statement's text is the
  // same for any number of records (prepared once per connection), and
  // nothing is built per call.
  const json = JSON.stringify(recs.map((r) => ({
    at: (r.at ?? new Date()).toISOString(),
    tenant_code: r.tenantCode,
    actor: r.actor,
    action: r.action,
    request_id: r.requestId ?? null,
    subject: r.subject ?? null,
    outcome: r.outcome ?? "ok",
    details: r.details ?? null,
  })));
  await db.execute(sql`insert into ${auditLog}
    (at, tenant_code, actor, action, request_id, subject, outcome, details)
    select at, tenant_code, actor, action, request_id, subject, outcome, details
    from jsonb_to_recordset(${json}::jsonb) as x(at timestamptz,
      tenant_code text, actor text, action text, request_id text,
      subject text, outcome text, details jsonb)`);
}

/** A tenant's directory row, without a lock or locked (built once each). */
const byCode = eq(tenants.code, sql.placeholder("code"));
const tenantState = {
  none: preparedSelect(tenants, byCode),
  share: preparedSelect(tenants, byCode, { lock: "share" }),
  update: preparedSelect(tenants, byCode, { lock: "update" }),
};

/** What never changes about a tenant once provisioned (read once). */
interface TenantStatics {
  schemaName: string;
  roleName: string;
  cipher: TenantCipher;
}

/** A tenancy's dependencies and the statics read so far. */
interface TenancyState {
  readonly database: Database;
  readonly db: Db;
  readonly keyring: Keyring;
  readonly statics: Map<string, TenantStatics>;
}

/** A tenant's policy as the directory row holds it. */
type TenantPolicy = Pick<
  Tenant,
  | "printMyNumber"
  | "retentionYears"
  | "stalenessMaxEvents"
  | "stalenessMaxSeconds"
>;

async function getTenant(st: TenancyState, code: string): Promise<Tenant> {
  if (!CODE_RE.test(code)) {
    throw new AspError("TENANT_NOT_FOUND", { tenant: code });
  }
  const rows = await st.db.select().from(tenants).where(
    eq(tenants.code, code),
  );
  if (!rows.length) throw new AspError("TENANT_NOT_FOUND", { tenant: code });
  return rows[0];
}

async function staticsOf(
  st: TenancyState,
  code: string,
): Promise<TenantStatics> {
  let s = st.statics.get(code);
  if (!s) {
    const t = await getTenant(st, code);
    s = {
      schemaName: t.schemaName,
      roleName: t.roleName,
      cipher: st.keyring.cipher(code, t.wrappedDataKey, t.masterKeyId),
    };
    ident(s.schemaName);
    ident(s.roleName);
    st.statics.set(code, s);
  }
  return s;
}

/** The scope of one tenant transaction. */
function tenantScope(tx: Tx, code: string, s: TenantStatics): TenantScope {
  return {
    code,
    schemaName: s.schemaName,
    roleName: s.roleName,
    cipher: s.cipher,
    async state(opts = {}) {
      const rows = await tenantState[opts.lock ?? "none"](tx, { code });
      if (!rows.length) {
        throw new Error(
          `Tenant ${code}: its directory row is not visible to its role`,
        );
      }
      return rows[0];
    },
  };
}

async function withTenant<T>(
  st: TenancyState,
  code: string,
  fn: (tx: Tx, scope: TenantScope) => Promise<T>,
): Promise<T> {
  const s = await staticsOf(st, code);
  return await st.db.transaction(async (tx) => {
    // SET LOCAL ROLE and SET LOCAL search_path as one statement whose
    // text is the same for every tenant (prepared once per connection).
    await tx.execute(sql`select set_config('role', ${s.roleName}, true),
      set_config('search_path', ${ident(s.schemaName)}, true)`);
    return await fn(tx, tenantScope(tx, code, s));
  });
}

/** The tenant role's name (roles are cluster-wide: prefixed with the database's name). */
async function roleNameFor(
  st: TenancyState,
  code: string,
): Promise<{ roleName: string; superuser: boolean }> {
  const [row] = rowsOf<{ d: string; su: boolean }>(
    await st.db.execute(
      sql`select current_database() as d, (select rolsuper from pg_roles where rolname = current_user) as su`,
    ),
  );
  const dbPart = row.d.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40);
  return { roleName: `${dbPart}_t${code}`, superuser: !!row.su };
}

/** Removes every stored 個人番号 of a tenant (its policy no longer allows them). */
/**
 * Removes every stored 個人番号 of a tenant (inside its transaction), when
 * the municipality's policy no longer prints it; returns how many.
 *
 * @example
 * ```ts ignore
 * await scrubMyNumbers(tx, t.cipher);
 * ```
 */
export async function scrubMyNumbers(
  tx: Tx,
  cipher: TenantCipher,
): Promise<number> {
  let n = 0;
  for (const r of await tx.select().from(residents)) {
    const data = cipher.openJson<Record<string, unknown>>(
      "residents",
      r.id,
      r.data,
    );
    if (data.myNumber == null) continue;
    data.myNumber = null;
    await tx.update(residents).set({
      data: cipher.sealJson("residents", r.id, data),
    })
      .where(eq(residents.id, r.id));
    n++;
  }
  return n;
}

/** A tenant's policy with its defaults; throws on a bad configuration. */
function policyOf(cfg: TenantConfig): TenantPolicy {
  if (!CODE_RE.test(cfg.code)) {
    throw new RangeError(`Tenant code must be 6 digits, got '${cfg.code}'`);
  }
  const policy = {
    printMyNumber: cfg.printMyNumber ?? false,
    retentionYears: cfg.retentionYears ?? 5,
    stalenessMaxEvents: cfg.stalenessMaxEvents ?? 0,
    stalenessMaxSeconds: cfg.stalenessMaxSeconds ?? STALENESS_MAX_SECONDS,
  };
  if (!Number.isInteger(policy.retentionYears) || policy.retentionYears < 1) {
    throw new RangeError(
      `Tenant ${cfg.code}: retentionYears must be a positive integer`,
    );
  }
  if (
    !Number.isInteger(policy.stalenessMaxSeconds) ||
    policy.stalenessMaxSeconds < 1
  ) {
    throw new RangeError(
      `Tenant ${cfg.code}: stalenessMaxSeconds must be a positive integer`,
    );
  }
  return policy;
}

async function provision(
  st: TenancyState,
  cfg: TenantConfig,
): Promise<Tenant> {
  const policy = policyOf(cfg);
  const existing = await st.db.select().from(tenants).where(
    eq(tenants.code, cfg.code),
  );
  if (existing.length) await updatePolicy(st, existing[0], policy);
  else {
    await createTenant(st, cfg.code, {
      ...policy,
      name: cfg.name ?? null,
      mayor: cfg.mayor ?? null,
    });
  }
  return await getTenant(st, cfg.code);
}

/**
 * A provisioned tenant: new policy, newer DDL. Its `printMyNumber` is left
 * as the registry's feed last set it (the municipality's record is its one
 * source; the sync worker scrubs 個人番号 when the record stops printing it).
 */
async function updatePolicy(
  st: TenancyState,
  before: Tenant,
  policy: TenantPolicy,
): Promise<void> {
  const { printMyNumber: _fromFeed, ...rest } = policy;
  await st.db.update(tenants).set(rest).where(eq(tenants.code, before.code));
  await upgrade(st, before);
}

/** The tenant's NOLOGIN role, granted to the service's user unless it is a superuser. */
async function createRole(st: TenancyState, code: string): Promise<string> {
  const { roleName, superuser } = await roleNameFor(st, code);
  const r = ident(roleName);
  // Roles are cluster-wide: tolerate one left by an earlier database of the same name.
  await st.database.exec(
    `DO $$ BEGIN CREATE ROLE ${r} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`,
  );
  if (!superuser) await st.database.exec(`GRANT ${r} TO CURRENT_USER`);
  return roleName;
}

/** A new tenant: role, data key, then schema, tables, directory row and audit in one transaction. */
async function createTenant(
  st: TenancyState,
  code: string,
  policy: TenantPolicy & Pick<Tenant, "name" | "mayor">,
): Promise<void> {
  const roleName = await createRole(st, code);
  const schemaName = tenantSchemaName(code);
  const key = st.keyring.newDataKey(code);
  await st.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`CREATE SCHEMA ${ident(schemaName)}`));
    const ddlVersion = await applyTenantDdl(tx, schemaName, roleName, 0);
    await tx.insert(tenants).values({
      code,
      ...policy,
      schemaName,
      roleName,
      ddlVersion,
      wrappedDataKey: key.wrapped,
      masterKeyId: key.masterKeyId,
    });
    await writeAudit(tx, {
      tenantCode: code,
      actor: "system",
      action: "tenant.provision",
      details: { schemaName, roleName, ddlVersion },
    });
  });
}

/** Applies the per-tenant DDL a tenant does not have yet. */
async function upgrade(st: TenancyState, t: Tenant): Promise<void> {
  const ddl = await loadTenantDdl();
  if (t.ddlVersion >= ddl.statements.length) return;
  await st.db.transaction(async (tx) => {
    const v = await applyTenantDdl(
      tx,
      t.schemaName,
      t.roleName,
      t.ddlVersion,
    );
    await tx.update(tenants).set({ ddlVersion: v }).where(
      eq(tenants.code, t.code),
    );
  });
}

async function upgradeAll(st: TenancyState): Promise<void> {
  for (const t of await st.db.select().from(tenants)) await upgrade(st, t);
}

/**
 * Creates the tenancy over the ASP's database (control schema migrated).
 *
 * @example
 * ```ts ignore
 * const tenancy = createTenancy({ database, keyring });
 * await tenancy.provision({ code: "401005" });
 * await tenancy.withTenant("401005", async (tx, t) => (await t.state()).appliedSeq);
 * ```
 */
export function createTenancy(
  deps: { database: Database; keyring: Keyring },
): Tenancy {
  const st: TenancyState = {
    database: deps.database,
    db: deps.database.db,
    keyring: deps.keyring,
    statics: new Map(),
  };
  return {
    database: st.database,
    db: st.db,
    keyring: st.keyring,
    provision: (cfg) => provision(st, cfg),
    withTenant: (code, fn) => withTenant(st, code, fn),
    list: async () => await st.db.select().from(tenants).orderBy(tenants.code),
    get: (code) => getTenant(st, code),
    upgradeAll: () => upgradeAll(st),
  };
}

/**
 * The directory columns of the municipality's policy as the registry's feed
 * (or media header) carried it; nothing when it carried none. The registry's
 * record is the one source of these rules, of the form profile and of the
 * name and mayor the forms print: the start-up configuration only gives a
 * new tenant its first `printMyNumber`, until the feed is heard.
 *
 * @example
 * ```ts ignore
 * await db.update(tenants).set(tenantPolicyColumns(feed.policy)).where(eq(tenants.code, code));
 * ```
 */
export function tenantPolicyColumns(
  p: MunicipalityFeedPolicy | undefined,
): Partial<
  Pick<
    Tenant,
    | "printMyNumber"
    | "sameDayEventTypes"
    | "householdMoveOutPolicy"
    | "formProfile"
    | "name"
    | "mayor"
  >
> {
  if (!p) return {};
  return {
    printMyNumber: p.printMyNumberAtKiosk,
    sameDayEventTypes: p.sameDayEventTypes === null
      ? null
      : p.sameDayEventTypes.join(","),
    householdMoveOutPolicy: p.householdMoveOut,
    // A registry from before profiles: the default one.
    formProfile: p.formProfile ?? null,
    // A registry from before: the ones held stay.
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.mayor !== undefined ? { mayor: p.mayor } : {}),
  };
}

/**
 * The tenant's form profile: the one the registry's record last carried,
 * the default profile while none was heard (or from an older registry).
 * Every form rule of the sheet builder reads the profile through here.
 *
 * @example
 * ```ts ignore
 * formProfileOf(await tenancy.get("401005")).juminhyoTitle; // "住民票の写し"
 * ```
 */
export function formProfileOf(
  tenant: Pick<Tenant, "formProfile">,
): FormProfile {
  // A profile stored before a field was added gets that field's default.
  return tenant.formProfile
    ? { ...DEFAULT_FORM_PROFILE, ...tenant.formProfile }
    : DEFAULT_FORM_PROFILE;
}
