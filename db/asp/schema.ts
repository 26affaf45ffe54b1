/**
 * The ASP's `control` schema: the tenant directory (one row per
 * municipality: its schema, its role, its wrapped data key, its snapshot and
 * applied sequences, its sync state and its policy), alerts, and the audit
 * log. Tenant data lives in per-tenant schemas (see `tenant_schema.ts`).
 *
 * Row-level security lets a tenant's role see and advance only its own
 * directory row, and write audit records only under its own code.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgSchema,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { bytea } from "../registry/schema.ts";
import type { FormProfile } from "../../lib/contracts/form_profile.ts";

/** The control schema. */
export const control = pgSchema("control");

/** The tenant directory. */
export const tenants = control.table("tenants", {
  code: text("code").primaryKey(),
  /**
   * The municipality's name and its mayor's title and name, as its
   * registry's record holds them (the feed's or media header's policy): what
   * the forms print. Null until the registry's record was heard.
   */
  name: text("name"),
  mayor: text("mayor"),
  /** PostgreSQL schema holding the tenant's tables, e.g. `t_401005`. */
  schemaName: text("schema_name").notNull().unique(),
  /** The tenant's own role (NOLOGIN); tenant transactions run as it. */
  roleName: text("role_name").notNull().unique(),
  /** Version of the per-tenant DDL applied (count of tenant migrations). */
  ddlVersion: integer("ddl_version").notNull().default(0),
  /** The tenant's data key, AES-256-GCM-wrapped by the master key. */
  wrappedDataKey: bytea("wrapped_data_key").notNull(),
  /** Which master key wrapped it. */
  masterKeyId: text("master_key_id").notNull(),
  /** Sequence of the snapshot last loaded (null: none yet). */
  snapshotSeq: bigint("snapshot_seq", { mode: "number" }),
  /** Last registry sequence applied to the replica. */
  appliedSeq: bigint("applied_seq", { mode: "number" }).notNull().default(0),
  appliedAt: timestamp("applied_at", { withTimezone: true, mode: "string" }),
  /** Registry head last seen by the sync worker, and when. */
  headSeq: bigint("head_seq", { mode: "number" }).notNull().default(0),
  headSeenAt: timestamp("head_seen_at", { withTimezone: true, mode: "string" }),
  /** running | stopped */
  syncState: text("sync_state").notNull().default("running"),
  stopReason: text("stop_reason"),
  stoppedAt: timestamp("stopped_at", { withTimezone: true, mode: "string" }),
  /** Policy: 個人番号 may be printed at kiosks (else it is never stored). */
  printMyNumber: boolean("print_my_number").notNull().default(false),
  /**
   * Policy from the registry's feed: event types whose change, processed
   * today (処理日), is issued only from tomorrow, comma-separated; null: all.
   */
  sameDayEventTypes: text("same_day_event_types"),
  /** Policy from the registry's feed: strict | lenient household move-out rule. */
  householdMoveOutPolicy: text("household_move_out_policy").notNull().default(
    "strict",
  ),
  /**
   * Policy from the registry's feed: the form profile
   * (lib/contracts/form_profile.ts); null until heard — the default profile
   * (read it through `formProfileOf`, services/asp/tenancy.ts).
   */
  formProfile: jsonb("form_profile").$type<FormProfile>(),
  /** Version of the registry's 外字 set held in the tenant's `gaiji` table (0: none heard). */
  gaijiVersion: integer("gaiji_version").notNull().default(0),
  /** Policy: years a removed record (除票) stays in the replica. */
  retentionYears: integer("retention_years").notNull().default(5),
  /** Policy: refuse issuance when more than this many events behind the head. */
  stalenessMaxEvents: integer("staleness_max_events").notNull().default(0),
  /** Policy: refuse issuance when nothing was heard from the registry for longer than this (s). */
  stalenessMaxSeconds: integer("staleness_max_seconds").notNull().default(5),
  /**
   * Set when live reconciliation found the replica differing from the
   * registry (services/asp/reconciliation.ts): every issuance is refused
   * (REPLICA_MISMATCH) until an operator lifts the halt.
   */
  haltedAt: timestamp("halted_at", { withTimezone: true, mode: "string" }),
  /** Why: the fields and person ids that differ (never a value). */
  haltReason: text("halt_reason"),
  /** The differences as data: `{seq, differences: [{subject, kind, key, field}]}`. */
  haltDetails: jsonb("halt_details"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
}, () => [
  pgPolicy("tenants_own_row", {
    for: "all",
    using: sql`role_name = current_user`,
    withCheck: sql`role_name = current_user`,
  }),
]);

/** Alerts for operators (sync stopped, integrity failures). */
export const alerts = control.table("alerts", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "string" }).notNull()
    .defaultNow(),
  tenantCode: text("tenant_code"),
  /** e.g. SYNC_GAP, SYNC_INTEGRITY, REGISTRY_REGRESSED */
  kind: text("kind").notNull(),
  message: text("message").notNull(),
  details: jsonb("details"),
  acknowledgedAt: timestamp("acknowledged_at", {
    withTimezone: true,
    mode: "string",
  }),
}, (t) => [index("alerts_tenant_idx").on(t.tenantCode)]);

/** Audit trail: snapshot switches, certificate builds and refusals, deliveries, purges. */
export const auditLog = control.table("audit_log", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "string" }).notNull()
    .defaultNow(),
  tenantCode: text("tenant_code"),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  requestId: text("request_id"),
  subject: text("subject"),
  outcome: text("outcome").notNull().default("ok"),
  details: jsonb("details"),
}, (t) => [
  index("audit_tenant_idx").on(t.tenantCode, t.action),
  pgPolicy("audit_insert_own_tenant", {
    for: "insert",
    withCheck:
      sql`exists (select 1 from control.tenants t where t.code = tenant_code and t.role_name = current_user)`,
  }),
]);

/**
 * Live reconciliation runs (services/asp/reconciliation.ts): per tenant, at
 * which applied sequence, what was compared and what differed (subject ids,
 * record keys and field names only).
 */
export const reconciliations = control.table("reconciliations", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tenantCode: text("tenant_code").notNull(),
  at: timestamp("at", { withTimezone: true, mode: "string" }).notNull(),
  /** The sequence both sides were compared at. */
  seq: bigint("seq", { mode: "number" }).notNull(),
  /** clean | mismatch | skipped */
  outcome: text("outcome").notNull(),
  /** schedule | operator id */
  trigger: text("trigger").notNull(),
  records: integer("records").notNull(),
  requests: integer("requests").notNull(),
  durationMs: integer("duration_ms").notNull(),
  /** `[{subject, kind, key, field}]` (mismatch), or why it was skipped. */
  details: jsonb("details"),
}, (t) => [index("reconciliations_tenant_idx").on(t.tenantCode, t.id)]);

/** A tenant directory row. */
export type Tenant = typeof tenants.$inferSelect;
/** An alert row. */
export type Alert = typeof alerts.$inferSelect;
