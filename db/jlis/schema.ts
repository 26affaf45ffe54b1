/**
 * The J-LIS center's tables: the card certificates it issued and their
 * status (valid, suspended, revoked) with every change, the kiosk sessions
 * (single-use nonces), and the message log of everything sent and received.
 *
 * The center keeps no personal data: a card is known by its certificate
 * serial and municipality; which resident holds it is the registry's link.
 *
 * @module
 */
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/** Card user-authentication certificates issued by the center's CA. */
export const cards = pgTable("cards", {
  /** Certificate serial, lowercase hex. */
  serial: text("serial").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  /** SHA-256 of the certificate DER, base64url: the exact certificate issued. */
  certificateSha256: text("certificate_sha256").notNull(),
  notBefore: timestamp("not_before", { withTimezone: true, mode: "date" })
    .notNull(),
  notAfter: timestamp("not_after", { withTimezone: true, mode: "date" })
    .notNull(),
  /** valid | suspended | revoked (final) */
  status: text("status").notNull(),
  statusChangedAt: timestamp("status_changed_at", {
    withTimezone: true,
    mode: "date",
  }).notNull(),
  issuedAt: timestamp("issued_at", { withTimezone: true, mode: "date" })
    .notNull(),
  /** Client that asked for the certificate. */
  issuedBy: text("issued_by").notNull(),
}, (t) => [index("cards_municipality_idx").on(t.municipalityCode)]);

/** Every status change of a card (issue, stop, resume, revoke), with who and why. */
export const cardStatusChanges = pgTable("card_status_changes", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  serial: text("serial").notNull(),
  /** null for the issue itself. */
  fromStatus: text("from_status"),
  toStatus: text("to_status").notNull(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** Client id of the caller (emergency line, municipality). */
  actor: text("actor").notNull(),
  requestId: text("request_id").notNull(),
  reason: text("reason"),
  /** Resume only: the identity verification done at the municipal window. */
  verification: jsonb("verification"),
}, (t) => [index("card_status_changes_serial_idx").on(t.serial)]);

/** Kiosk authentication sessions: one random nonce each, single use, short-lived. */
export const kioskSessions = pgTable("kiosk_sessions", {
  id: text("id").primaryKey(),
  kioskId: text("kiosk_id").notNull(),
  nonce: text("nonce").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" })
    .notNull(),
  /** Set by the first authentication attempt, whatever its outcome. */
  usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
  /** AUTHENTICATED or the refusal code. */
  outcome: text("outcome"),
  /** Set once authenticated. */
  cardSerial: text("card_serial"),
  municipalityCode: text("municipality_code"),
}, (t) => [index("kiosk_sessions_expires_idx").on(t.expiresAt)]);

/**
 * The message log (X-Road style): one row per message received (`in`) and
 * sent (`out`), with the SHA-256 of its body (never the body itself) and, for
 * the center's responses, the center's signature over it.
 */
export const messageLog = pgTable("message_log", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** in | out */
  direction: text("direction").notNull(),
  /** Authenticated client id, or "anonymous". */
  peer: text("peer").notNull(),
  requestId: text("request_id").notNull(),
  method: text("method").notNull(),
  path: text("path").notNull(),
  /** HTTP status (out only). */
  status: integer("status"),
  /** SHA-256 of the message body, base64url. */
  messageSha256: text("message_sha256").notNull(),
  /** Signature over the message (out: the center's; in: the sender's, if any). */
  signature: text("signature"),
  keyId: text("key_id"),
}, (t) => [
  index("message_log_request_idx").on(t.requestId),
  index("message_log_at_idx").on(t.at),
]);

/** A card row. */
export type CardRecord = typeof cards.$inferSelect;
/** A kiosk session row. */
export type KioskSession = typeof kioskSessions.$inferSelect;
/** A message log row. */
export type MessageLogRow = typeof messageLog.$inferSelect;
