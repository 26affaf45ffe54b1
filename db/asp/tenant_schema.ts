/**
 * The tables of one tenant (one municipality) of the ASP's replica. They are
 * declared without a schema: each tenant gets its own PostgreSQL schema
 * (`t_401005`, …) and every query runs with `search_path` set to it and the
 * tenant's own role, so the database refuses any other tenant's tables.
 *
 * drizzle-kit turns this file into `db/migrations/asp_tenant/`, which
 * `provisionTenant` applies inside each tenant's schema.
 *
 * Lookup keys and the columns the database itself must select on (status,
 * removal date for retention) stay clear; every personal field lives in the
 * `data` column, AES-256-GCM under the tenant's data key.
 *
 * @module
 */
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { bytea } from "../registry/schema.ts";

/** Residents as the kiosk certificates and the issuance rules need them. */
export const residents = pgTable("residents", {
  id: text("id").primaryKey(),
  householdId: text("household_id").notNull(),
  /** active | moving_out | removed */
  status: text("status").notNull(),
  /** Date of removal (除票), clear so the retention job can select on it. */
  removalDate: date("removal_date", { mode: "string" }),
  /** The registry's sequence that last changed the record. */
  updatedSeq: bigint("updated_seq", { mode: "number" }).notNull(),
  /** Encrypted personal fields (see services/asp/replica.ts). */
  data: bytea("data").notNull(),
}, (t) => [
  index("residents_household_idx").on(t.householdId),
  index("residents_removed_idx").on(t.status, t.removalDate),
]);

/** Households: who is the householder, and whether it still exists. */
export const households = pgTable("households", {
  id: text("id").primaryKey(),
  householderId: text("householder_id"),
  /** active | dissolved */
  status: text("status").notNull(),
});

/** Seal registrations (印鑑登録). */
export const seals = pgTable("seals", {
  id: text("id").primaryKey(),
  residentId: text("resident_id").notNull(),
  /** active | abolished | cancelled */
  status: text("status").notNull(),
  /** Encrypted: registration number, date, impression image. */
  data: bytea("data").notNull(),
}, (t) => [index("seals_resident_idx").on(t.residentId)]);

/** Issuance blocks (抑止): the reason itself is personal (支援措置) and encrypted. */
export const blocks = pgTable("blocks", {
  id: text("id").primaryKey(),
  residentId: text("resident_id").notNull(),
  /** Encrypted: reason, start, end, lifted at. */
  data: bytea("data").notNull(),
}, (t) => [index("blocks_resident_idx").on(t.residentId)]);

/** Card user-authentication certificate serial ↔ resident. */
export const cardLinks = pgTable("card_links", {
  serial: text("serial").primaryKey(),
  residentId: text("resident_id").notNull(),
  active: boolean("active").notNull(),
}, (t) => [index("card_links_resident_idx").on(t.residentId)]);

/**
 * The municipality's registered 外字 (from the feed answer's `gaiji`): the
 * outline of each private-use character, drawn on the certificate; a
 * character without a row is refused (GAIJI_NOT_REGISTERED). Not personal.
 */
export const gaiji = pgTable("gaiji", {
  codePoint: integer("code_point").primaryKey(),
  /** SVG path data in a 1000 × 1000 em box (lib/render/gaiji.ts). */
  path: text("path").notNull(),
});

/** One row per registry event applied: the proof of exactly-once, in order. */
export const appliedEvents = pgTable("applied_events", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  eventId: text("event_id").notNull().unique(),
  type: text("type").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" })
    .notNull(),
  appliedAt: timestamp("applied_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
});

/** Issuance work data: kept only until the center confirms delivery. */
export const issuanceWork = pgTable("issuance_work", {
  requestId: text("request_id").primaryKey(),
  applicantId: text("applicant_id").notNull(),
  replicaSeq: bigint("replica_seq", { mode: "number" }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" })
    .notNull(),
  /** Encrypted: the sheets built. */
  data: bytea("data").notNull(),
});

/** A replica resident row. */
export type ResidentRow = typeof residents.$inferSelect;
/** A replica seal row. */
export type SealRow = typeof seals.$inferSelect;
/** A replica block row. */
export type BlockRow = typeof blocks.$inferSelect;
