/**
 * The J-LIS center's tables: the card certificates it issued and their
 * status (valid, suspended, revoked) with every change, the kiosk sessions
 * (single-use nonces), and the message log of everything sent and received.
 *
 * The center keeps no personal data: a card is known by its certificate
 * serial and municipality; which resident holds it is the registry's link,
 * and the center's own check of it is a keyed digest of the holder's basic
 * identity (card_bindings), which it cannot read back.
 *
 * @module
 */
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/** Card user-authentication certificates issued by the center's CA. */
export const cards = pgTable("cards", {
  /** Certificate serial, lowercase hex. */
  serial: text("serial").primaryKey(),
  /**
   * The card's current municipality (routing, services/jlis/cards/
   * routing.ts): the issuing one, then the one that carried it on
   * (継続利用). The certificate names none.
   */
  municipalityCode: text("municipality_code").notNull(),
  /**
   * When the card routes to `municipalityCode` from: null since issuance;
   * after a 継続利用, the start of the next day in Japan.
   */
  routedFrom: timestamp("routed_from", { withTimezone: true, mode: "date" }),
  /**
   * Set when the municipality told the center its holder moved out
   * (転出確定) and nobody has carried the card on since: refused at kiosks.
   */
  movedOutAt: timestamp("moved_out_at", { withTimezone: true, mode: "date" }),
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
  /**
   * A face-authentication-only card (顔認証マイナンバーカード): no PIN, so
   * never usable at a kiosk.
   */
  pinless: boolean("pinless").notNull().default(false),
  /**
   * Seed of the card's PIN-unblock keys (32 random bytes, base64url; see
   * services/jlis/cards/pin_reset.ts). Null for a pinless card and for cards
   * issued before PIN resets existed. A real center keeps it in its HSM.
   */
  unblockSeed: text("unblock_seed"),
  /** How many PIN resets the card has had (its reset slot's generation). */
  pinResetGeneration: integer("pin_reset_generation").notNull().default(0),
}, (t) => [index("cards_municipality_idx").on(t.municipalityCode)]);

/**
 * Every PIN reset the center authorised at a municipal window: the identity
 * check (method, officers' ids, time — no personal data), who asked, and
 * the card's reset generation it opened.
 */
export const cardPinResets = pgTable("card_pin_resets", {
  id: text("id").primaryKey(),
  serial: text("serial").notNull(),
  /** The card's reset generation the authorisation opens. */
  generation: integer("generation").notNull(),
  /** True when it repeats an interrupted reset (same generation again). */
  retry: boolean("retry").notNull(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** Client id of the municipality's window. */
  actor: text("actor").notNull(),
  requestId: text("request_id").notNull(),
  /** The identity verification (IdentityVerification of cards.ts). */
  verification: jsonb("verification").notNull(),
}, (t) => [index("card_pin_resets_serial_idx").on(t.serial)]);

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

/**
 * The center's own binding of a card to its holder: the keyed digest of the
 * holder's basic identity (lib/card/identity_binding.ts) the issuing
 * municipality gave at card issuance and keeps current — never the identity
 * itself. Every issuance compares the ASP's applicant with it.
 */
export const cardBindings = pgTable("card_bindings", {
  /** Certificate serial, lowercase hex (the card). */
  serial: text("serial").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  /** HMAC-SHA256 under the municipality's binding key, base64url. */
  digest: text("digest").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull(),
  /** Client id of the municipality that set it last. */
  updatedBy: text("updated_by").notNull(),
});

/** Every binding set or changed, with who and why (e.g. the registry event). */
export const cardBindingChanges = pgTable("card_binding_changes", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  serial: text("serial").notNull(),
  /** null when the card was issued. */
  previousDigest: text("previous_digest"),
  digest: text("digest").notNull(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  actor: text("actor").notNull(),
  requestId: text("request_id").notNull(),
  /** e.g. `issued`, or the registry event (type and seq) that changed the identity. */
  reason: text("reason").notNull(),
}, (t) => [index("card_binding_changes_serial_idx").on(t.serial)]);

/**
 * Every change of a card's routing: the move-out a municipality reported
 * (転出確定) and the carrying on (継続利用) by the new municipality, with who
 * and from when.
 */
export const cardRouteChanges = pgTable("card_route_changes", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  serial: text("serial").notNull(),
  /** moved_out | continued */
  kind: text("kind").notNull(),
  fromMunicipality: text("from_municipality").notNull(),
  /** continued: the new municipality; moved_out: null. */
  toMunicipality: text("to_municipality"),
  /** When the change was recorded. */
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** continued: when the card routes to the new municipality from. */
  effectiveFrom: timestamp("effective_from", {
    withTimezone: true,
    mode: "date",
  }),
  actor: text("actor").notNull(),
  requestId: text("request_id").notNull(),
  /** e.g. the registry event (`tenshutsu_kakutei seq 12`). */
  reason: text("reason"),
  /** continued: the identity verification at the new municipality's window. */
  verification: jsonb("verification"),
}, (t) => [index("card_route_changes_serial_idx").on(t.serial)]);

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
  /**
   * The run this message belongs to (`X-Correlation-Id`: the kiosk's, passed
   * on to the ASP); null on rows written before the column existed.
   */
  correlationId: text("correlation_id"),
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
  index("message_log_correlation_idx").on(t.correlationId),
  index("message_log_at_idx").on(t.at),
]);

/** A card row. */
export type CardRecord = typeof cards.$inferSelect;
/** A kiosk session row. */
export type KioskSession = typeof kioskSessions.$inferSelect;
/** A message log row. */
export type MessageLogRow = typeof messageLog.$inferSelect;

/**
 * Issuance requests: one per authenticated kiosk session. The request id is
 * made here and travels end to end (ASP work data, back side, ledger).
 */
export const issuanceRequests = pgTable("issuance_requests", {
  requestId: text("request_id").primaryKey(),
  /** One issuance per session: a second request on the session is refused. */
  sessionId: text("session_id").notNull().unique(),
  kioskId: text("kiosk_id").notNull(),
  storeId: text("store_id").notNull(),
  municipalityCode: text("municipality_code").notNull(),
  cardSerial: text("card_serial").notNull(),
  /** 発行番号 of the first copy, unique (every copy's is in issuance_copies). */
  issueNumber: text("issue_number").notNull().unique(),
  type: text("type").notNull(),
  /** "self" | "all" | resident ids. */
  members: jsonb("members").notNull(),
  options: jsonb("options").notNull(),
  /** building → released | refused | failed | withheld */
  state: text("state").notNull(),
  /** Refusal or failure code. */
  outcome: text("outcome"),
  aspNode: text("asp_node"),
  replicaSeq: bigint("replica_seq", { mode: "number" }),
  applicantId: text("applicant_id"),
  /** Sheets of one copy (set at release). */
  pages: integer("pages"),
  /** 部数: how many copies were asked for (1–10), each its own document. */
  copies: integer("copies").notNull().default(1),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
}, (t) => [index("issuance_requests_created_idx").on(t.createdAt)]);

/**
 * The copies (部数) of a released request: each its own document with its
 * own 発行番号, pages, back sides and fee, and its own state —
 * `released` → `delivered` | `voided` (a jam, or the kiosk refused the
 * answer; its fee refunded) → `revoked` (by the municipality). Written with
 * the request's release; the ledger has one entry per copy and event.
 */
export const issuanceCopies = pgTable("issuance_copies", {
  /** 発行番号 of this copy. */
  issueNumber: text("issue_number").primaryKey(),
  requestId: text("request_id").notNull(),
  /** 1-based, in print order. */
  copy: integer("copy").notNull(),
  /** Sheets of this copy. */
  pages: integer("pages").notNull(),
  /** Yen charged for this copy at release (the schedule of that day). */
  fee: integer("fee").notNull(),
  /** released | delivered | voided | revoked */
  state: text("state").notNull(),
}, (t) => [index("issuance_copies_request_idx").on(t.requestId)]);

/**
 * Each municipality's fee schedule (手数料): the fee per copy of a
 * certificate type from a JST date, until an optional last day (inclusive).
 * On a given day the entry with the latest start that covers it applies (a
 * discount with a start and an end laid over a standing fee); none: the
 * catalogue's default. Set as a whole by the municipality
 * (`PUT /municipalities/{code}/fee-schedule`).
 */
export const feeScheduleEntries = pgTable("fee_schedule_entries", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  type: text("type").notNull(),
  /** Yen per copy (通). */
  fee: integer("fee").notNull(),
  /** First day, JST, YYYY-MM-DD. */
  validFrom: text("valid_from").notNull(),
  /** Last day, JST, YYYY-MM-DD (inclusive); null: open-ended. */
  validUntil: text("valid_until"),
  /** When and by which client the schedule holding this entry was set. */
  setAt: timestamp("set_at", { withTimezone: true, mode: "date" }).notNull(),
  setBy: text("set_by").notNull(),
}, (t) => [
  index("fee_schedule_entries_municipality_idx").on(
    t.municipalityCode,
  ),
]);

/** Source of issue numbers (one sequence for all municipalities). */
export const issueNumberSeq = pgSequence("issue_number_seq");

/**
 * The issuance ledger: append-only, hash-chained. Each entry's hash covers
 * its own fields and the previous entry's hash, so editing, deleting or
 * inserting an entry breaks the chain (`deno task ledger:verify`).
 */
export const ledger = pgTable("ledger", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** issued | delivered | voided | revoked */
  kind: text("kind").notNull(),
  issueNumber: text("issue_number").notNull(),
  requestId: text("request_id").notNull(),
  /** The entry's content (kiosk, store, applicant, type, options, sheets, fee…). */
  data: jsonb("data").notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull(),
}, (t) => [index("ledger_issue_number_idx").on(t.issueNumber)]);

/**
 * The head of the ledger's chain (one row, id 1). An append is one
 * statement that updates this row (so appends are serialized by its row
 * lock for the length of that statement only) and inserts the entry.
 */
export const ledgerHead = pgTable("ledger_head", {
  id: integer("id").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  /** The hash before the last append (what the new entry links to). */
  prevHash: text("prev_hash").notNull(),
});

/**
 * Signed checkpoints of the ledger's head (services/jlis/issuance/
 * checkpoints.ts): numbered 1, 2, 3, …, each the head's `(seq, hash)` at
 * `at` signed by the center's signer; published to the municipalities,
 * whose registries keep copies (`ledger:verify` checks the chain against
 * them).
 */
export const ledgerCheckpoints = pgTable("ledger_checkpoints", {
  number: bigint("number", { mode: "number" }).primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  /** ISO 8601 instant of signing, exactly as signed. */
  at: text("at").notNull(),
  keyId: text("key_id").notNull(),
  /** ECDSA P-256 r‖s, base64url. */
  signature: text("signature").notNull(),
});

/**
 * Incidents: a withheld document (subject or back-side mismatch), a node
 * that does not run the expected build or tenant configuration, repeated
 * failures of one kind for one tenant (services/jlis/issuance/incidents.ts
 * `INCIDENT_KINDS`). Open until an operator acknowledges it with a reason;
 * a later success closes nothing.
 */
export const incidents = pgTable("incidents", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** A kind of the catalogue: SUBJECT_MISMATCH, BUILD_DIGEST_MISMATCH, REPEATED_ASP_TIMEOUT, … */
  kind: text("kind").notNull(),
  municipalityCode: text("municipality_code").notNull(),
  /** The request that caused it (for repeated failures: the one that crossed the threshold). */
  requestId: text("request_id").notNull(),
  kioskId: text("kiosk_id").notNull(),
  aspNode: text("asp_node"),
  details: jsonb("details").notNull(),
  /**
   * Set while an incident of a kind that is opened once per tenant
   * (`<municipality>:<kind>`) is unacknowledged: a second one is not opened
   * beside it. Cleared on acknowledgement.
   */
  openKey: text("open_key").unique(),
  acknowledgedAt: timestamp("acknowledged_at", {
    withTimezone: true,
    mode: "date",
  }),
  /** Operator's client id. */
  acknowledgedBy: text("acknowledged_by"),
  acknowledgeReason: text("acknowledge_reason"),
}, (t) => [index("incidents_municipality_idx").on(t.municipalityCode)]);

/**
 * Failures of one kind for one tenant that are not incidents one by one
 * (an ASP timeout, the node unreachable, an answer signature failing on a
 * household or delivery call, a card without binding, a kiosk refusing the
 * center's answer): counted over a window, `threshold` of them open a
 * `REPEATED_*` incident (incidents.ts `recordFailure`). No personal data.
 */
export const tenantFailures = pgTable("tenant_failures", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  municipalityCode: text("municipality_code").notNull(),
  /** A failure kind of incidents.ts `FAILURE_KINDS`. */
  kind: text("kind").notNull(),
  requestId: text("request_id").notNull(),
  kioskId: text("kiosk_id").notNull(),
  aspNode: text("asp_node"),
}, (t) => [
  index("tenant_failures_tenant_kind_at_idx").on(
    t.municipalityCode,
    t.kind,
    t.at,
  ),
]);

/**
 * What the center expects of the ASP node serving a municipality: the
 * node's build digest and the digest of the tenant's configuration there
 * (both stated in every signed answer). Set by an operator; null: not set
 * (the center's `unsetDigests` policy decides).
 */
export const aspExpectedDigests = pgTable("asp_expected_digests", {
  municipalityCode: text("municipality_code").primaryKey(),
  buildDigest: text("build_digest"),
  configDigest: text("config_digest"),
  setAt: timestamp("set_at", { withTimezone: true, mode: "date" }).notNull(),
  setBy: text("set_by").notNull(),
  reason: text("reason").notNull(),
});

/**
 * Digests a node stated for a municipality, first time each pair was seen
 * (what an operator adopts as the expectation after checking it).
 */
export const aspSeenDigests = pgTable("asp_seen_digests", {
  municipalityCode: text("municipality_code").notNull(),
  aspNode: text("asp_node").notNull(),
  buildDigest: text("build_digest").notNull(),
  configDigest: text("config_digest").notNull(),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true, mode: "date" })
    .notNull(),
}, (t) => [
  primaryKey({
    columns: [t.municipalityCode, t.aspNode, t.buildDigest, t.configDigest],
  }),
]);

/** Tenants (municipalities) halted by the center; halted while resumed_at is null. */
export const tenantHalts = pgTable("tenant_halts", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  haltedAt: timestamp("halted_at", { withTimezone: true, mode: "date" })
    .notNull(),
  reason: text("reason").notNull(),
  incidentId: bigint("incident_id", { mode: "number" }),
  resumedAt: timestamp("resumed_at", { withTimezone: true, mode: "date" }),
  resumedBy: text("resumed_by"),
  resumeReason: text("resume_reason"),
}, (t) => [index("tenant_halts_municipality_idx").on(t.municipalityCode)]);

/** An issuance request row. */
export type IssuanceRequestRow = typeof issuanceRequests.$inferSelect;
/** A copy of a released request. */
export type IssuanceCopyRow = typeof issuanceCopies.$inferSelect;
/** A fee schedule entry row. */
export type FeeScheduleEntryRow = typeof feeScheduleEntries.$inferSelect;
/** A ledger entry row. */
export type LedgerRow = typeof ledger.$inferSelect;
/** An incident row. */
export type IncidentRow = typeof incidents.$inferSelect;

/**
 * Per-municipality numbering of the ledger's entries (its 交付履歴 feed):
 * the last number given to each municipality. Advanced in the same
 * statement as the ledger's head (services/jlis/issuance/ledger.ts
 * `appendLedger`), after it, so the numbers follow the ledger's order and
 * have no gaps.
 */
export const ledgerMunicipalHeads = pgTable("ledger_municipal_heads", {
  municipalityCode: text("municipality_code").primaryKey(),
  lastSeq: bigint("last_seq", { mode: "number" }).notNull(),
});

/**
 * A municipality's numbered ledger entries: `seq` 1, 2, 3, … per
 * municipality, each naming one ledger entry. The municipality's registry
 * pulls them in order (`GET /ledger/municipalities/{code}/entries`).
 */
export const ledgerMunicipalEntries = pgTable("ledger_municipal_entries", {
  municipalityCode: text("municipality_code").notNull(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  ledgerSeq: bigint("ledger_seq", { mode: "number" }).notNull().unique(),
}, (t) => [primaryKey({ columns: [t.municipalityCode, t.seq] })]);
