/**
 * The municipality registry's tables (住民基本台帳). Every row is keyed by the
 * municipality code; names and addresses are stored exactly as given (外字 in
 * the private use area and ideographic variation sequences included).
 *
 * @module
 */
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { type Column, type SQL, sql } from "drizzle-orm";
import type { FormProfile } from "../../lib/contracts/form_profile.ts";

/** bytea as Uint8Array on both drivers. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (
    v,
  ) => (v instanceof Uint8Array && v.constructor !== Uint8Array
    ? new Uint8Array(v)
    : v),
});

/** Hiragana ぁ…ゖ, ゝ, ゞ: what the kana search key folds into katakana. */
export const HIRAGANA = String.fromCodePoint(
  ...Array.from({ length: 0x3096 - 0x3041 + 1 }, (_, i) => 0x3041 + i),
  0x309d,
  0x309e,
);

/** The katakana each character of {@linkcode HIRAGANA} becomes (ァ…ヶ, ヽ, ヾ). */
export const KATAKANA = String.fromCodePoint(
  ...Array.from({ length: 0x30f6 - 0x30a1 + 1 }, (_, i) => 0x30a1 + i),
  0x30fd,
  0x30fe,
);

/** Spaces a search key drops (ASCII and the full-width 　). */
export const SEARCH_SPACES = " \u3000";

/**
 * The search key of a name column: the name without its spaces, in
 * code-point order (collation "C"), so that a prefix is a range of the
 * index whatever the database's locale. Queries must use this very
 * expression for the planner to match the index.
 *
 * @example
 * ```ts ignore
 * db.select().from(residents).where(sql`${nameSearchKey(residents.name)} >= ${p}`);
 * ```
 */
export function nameSearchKey(column: Column): SQL {
  return sql`(translate(${column}, ${
    sql.raw(`'${SEARCH_SPACES}'`)
  }, '') collate "C")`;
}

/**
 * The search key of a kana column: hiragana folded into katakana, spaces
 * dropped, in code-point order — so ヤマダ　タロウ, やまだ たろう and
 * やまだたろう share one key. Queries must use this very expression.
 *
 * @example
 * ```ts ignore
 * db.select().from(residents).where(sql`${kanaSearchKey(residents.nameKana)} >= ${p}`);
 * ```
 */
export function kanaSearchKey(column: Column): SQL {
  return sql`(translate(${column}, ${
    sql.raw(`'${HIRAGANA}${SEARCH_SPACES}'`)
  }, ${sql.raw(`'${KATAKANA}'`)}) collate "C")`;
}

/** Municipalities this registry serves, with their kiosk policy. */
export const municipalities = pgTable("municipalities", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  mayor: text("mayor").notNull(),
  /** Whether kiosks may print 個人番号 (if false, it never leaves the registry). */
  printMyNumberAtKiosk: boolean("print_my_number_at_kiosk").notNull().default(
    false,
  ),
  /**
   * Event types whose change, processed today (処理日), reaches kiosks only
   * tomorrow (the same-day rule), comma-separated; null: every type.
   */
  sameDayEventTypes: text("same_day_event_types"),
  /**
   * strict: a household certificate is refused while any member has filed a
   * move-out (転出予定); lenient: only the householder's or a printed
   * member's move-out refuses.
   */
  householdMoveOutPolicy: text("household_move_out_policy").notNull().default(
    "strict",
  ),
  /** Version of the municipality's 外字 set: grows with every change to `municipality_gaiji`. */
  gaijiVersion: integer("gaiji_version").notNull().default(0),
  /**
   * How its certificates are printed (lib/contracts/form_profile.ts), as
   * `PUT /municipalities/{code}` accepted it; null (records from before):
   * the default profile.
   */
  formProfile: jsonb("form_profile").$type<FormProfile>(),
});

/**
 * The municipality's 外字: the outline of each private-use character it uses
 * (SVG path data in a 1000 × 1000 em box, lib/render/gaiji.ts), carried to
 * the ASP on the feed answer (`gaiji`).
 */
export const municipalityGaiji = pgTable("municipality_gaiji", {
  municipalityCode: text("municipality_code").notNull().references(() =>
    municipalities.code
  ),
  codePoint: integer("code_point").notNull(),
  path: text("path").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.municipalityCode, t.codePoint] })]);

/**
 * How a part of the legal 氏名の振り仮名 (令和5年法律第48号) stands in the
 * record: `unrecorded` (no reading yet: the 住民票 prints the municipality's
 * mask or nothing), `notified` (recorded from a notification, 届出), or
 * `ex_officio` (entered by the 戸籍 office from the presumed reading, 職権,
 * from 2026-05-26).
 */
export const FURIGANA_STATUSES = [
  "unrecorded",
  "notified",
  "ex_officio",
] as const;

/** A furigana status (see {@linkcode FURIGANA_STATUSES}). */
export type FuriganaStatus = typeof FURIGANA_STATUSES[number];

/** The current state of each resident (one row per person). */
export const residents = pgTable("residents", {
  id: text("id").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  /** Serial history number of the current state. */
  historyNo: integer("history_no").notNull(),
  /** active | moving_out (転出予定) | removed (除票) */
  status: text("status").notNull(),
  name: text("name").notNull(),
  nameKana: text("name_kana").notNull(),
  formerSurname: text("former_surname"),
  formerSurnameKana: text("former_surname_kana"),
  /**
   * 氏の振り仮名 (令和5年法律第48号): the legal reading of the surname, full-width
   * katakana (ー included), as the 戸籍 records it; null until recorded. The
   * free `nameKana` stays the search key and the window's reading.
   */
  furiganaSurname: text("furigana_surname"),
  /** How the surname's reading was recorded: see {@linkcode FURIGANA_STATUSES}. */
  furiganaSurnameStatus: text("furigana_surname_status").notNull().default(
    "unrecorded",
  ),
  /** 名の振り仮名: the legal reading of the given name, as `furiganaSurname`. */
  furiganaGivenName: text("furigana_given_name"),
  /** How the given name's reading was recorded: see {@linkcode FURIGANA_STATUSES}. */
  furiganaGivenNameStatus: text("furigana_given_name_status").notNull()
    .default("unrecorded"),
  /** 旧氏の振り仮名: the legal reading of the 旧氏 (katakana); null until recorded. */
  formerSurnameFurigana: text("former_surname_furigana"),
  alphabeticName: text("alphabetic_name"),
  alias: text("alias"),
  aliasKana: text("alias_kana"),
  birthDate: date("birth_date", { mode: "string" }).notNull(),
  sex: text("sex").notNull(),
  householdId: text("household_id").notNull(),
  relationship: text("relationship").notNull(),
  honseki: text("honseki"),
  hittousha: text("hittousha"),
  becameResidentDate: date("became_resident_date", { mode: "string" })
    .notNull(),
  addressSetDate: date("address_set_date", { mode: "string" }).notNull(),
  notifiedDate: date("notified_date", { mode: "string" }).notNull(),
  address: text("address").notNull(),
  katagaki: text("katagaki"),
  previousAddress: text("previous_address"),
  myNumber: text("my_number"),
  residentCode: text("resident_code").notNull(),
  isForeign: boolean("is_foreign").notNull().default(false),
  nationality: text("nationality"),
  residenceStatus: text("residence_status"),
  periodOfStay: text("period_of_stay"),
  stayExpiry: date("stay_expiry", { mode: "string" }),
  residenceCardNumber: text("residence_card_number"),
  plannedMoveOutDate: date("planned_move_out_date", { mode: "string" }),
  destinationAddress: text("destination_address"),
  removalReason: text("removal_reason"),
  removalDate: date("removal_date", { mode: "string" }),
  /** 処理日: the day the registry last processed a change of this record. */
  processedDate: date("processed_date", { mode: "string" }),
  /** Types of the events processed on `processedDate` (comma-separated). */
  processedTypes: text("processed_types"),
  updatedSeq: bigint("updated_seq", { mode: "number" }).notNull(),
}, (t) => [
  // A reading is recorded exactly when its status says so.
  check(
    "residents_furigana_surname_status",
    sql`(${t.furiganaSurname} is null) = (${t.furiganaSurnameStatus} = 'unrecorded') and ${t.furiganaSurnameStatus} in ('unrecorded', 'notified', 'ex_officio')`,
  ),
  check(
    "residents_furigana_given_name_status",
    sql`(${t.furiganaGivenName} is null) = (${t.furiganaGivenNameStatus} = 'unrecorded') and ${t.furiganaGivenNameStatus} in ('unrecorded', 'notified', 'ex_officio')`,
  ),
  index("residents_municipality_idx").on(t.municipalityCode),
  index("residents_household_idx").on(t.householdId),
  index("residents_resident_code_idx").on(t.residentCode),
  // Search (GET /municipalities/{code}/residents): prefix ranges and keyset
  // paging in (key, id) order, id in code-point order too.
  index("residents_kana_search_idx").on(
    t.municipalityCode,
    kanaSearchKey(t.nameKana),
    sql`(${t.id} collate "C")`,
  ),
  index("residents_name_search_idx").on(
    t.municipalityCode,
    nameSearchKey(t.name),
    sql`(${t.id} collate "C")`,
  ),
  index("residents_birth_date_idx").on(
    t.municipalityCode,
    t.birthDate,
    sql`(${t.id} collate "C")`,
  ),
]);

/** Households (世帯): number, householder, address. */
export const households = pgTable("households", {
  id: text("id").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  householderId: text("householder_id"),
  address: text("address").notNull(),
  katagaki: text("katagaki"),
  /** active | dissolved */
  status: text("status").notNull().default("active"),
});

/** A full snapshot of a resident per change (person id + serial history number). */
export const residentHistory = pgTable("resident_history", {
  residentId: text("resident_id").notNull(),
  historyNo: integer("history_no").notNull(),
  municipalityCode: text("municipality_code").notNull(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  eventType: text("event_type").notNull(),
  snapshot: jsonb("snapshot").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.residentId, t.historyNo] })]);

/** Per-municipality head of the outbox sequence (row lock = gapless, ordered). */
export const outboxHeads = pgTable("outbox_heads", {
  municipalityCode: text("municipality_code").primaryKey(),
  lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
});

/** Change events in order (異動), as the feed serves them. */
export const outbox = pgTable("outbox", {
  municipalityCode: text("municipality_code").notNull(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  eventId: text("event_id").notNull(),
  type: text("type").notNull(),
  /** Date the change took effect (異動日). */
  effectiveDate: date("effective_date", { mode: "string" }),
  /** Date the change was notified (届出日; for 職権 events, the 異動日). */
  notifiedDate: date("notified_date", { mode: "string" }),
  /** Date the registry processed the change (処理日, Japan time). */
  processedDate: date("processed_date", { mode: "string" }),
  /** What the feed serves: the state after the event of everything it touched. */
  payload: jsonb("payload").notNull(),
  /** The state before the event (kept here only, for 取消); never served. */
  undo: jsonb("undo"),
  /** Request that wrote the event, and what it asked for. */
  request: jsonb("request"),
  /** Seq of the event that cancelled this one, if any. */
  cancelledBySeq: bigint("cancelled_by_seq", { mode: "number" }),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.municipalityCode, t.seq] }),
  uniqueIndex("outbox_event_id_idx").on(t.eventId),
]);

/** Audit trail: every change and every read of a person's record. */
export const auditLog = pgTable("audit_log", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "string" }).notNull()
    .defaultNow(),
  client: text("client").notNull(),
  action: text("action").notNull(),
  municipalityCode: text("municipality_code"),
  subject: text("subject"),
  purpose: text("purpose"),
  requestId: text("request_id"),
  outcome: text("outcome").notNull().default("ok"),
  details: jsonb("details"),
}, (t) => [index("audit_subject_idx").on(t.subject)]);

/**
 * Copies of the center's signed ledger checkpoints, pulled by the registry
 * (services/registry/checkpoints.ts) in number order without gaps; kept so
 * that a rewrite of the center's ledger shows against them
 * (`ledger:verify --registry`).
 */
export const ledgerCheckpointCopies = pgTable("ledger_checkpoint_copies", {
  number: bigint("number", { mode: "number" }).primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  /** ISO 8601 instant of signing, exactly as signed. */
  at: text("at").notNull(),
  keyId: text("key_id").notNull(),
  /** ECDSA P-256 r‖s, base64url. */
  signature: text("signature").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
});

/** Seal registrations (印鑑登録). */
export const sealRegistrations = pgTable("seal_registrations", {
  id: text("id").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  residentId: text("resident_id").notNull(),
  registrationNumber: text("registration_number").notNull(),
  /** The image as submitted (the registration's record). */
  impressionPng: bytea("impression_png").notNull(),
  /**
   * For the front: ≥ 300 dpi in the 印影 box (services/registry/seal_image.ts);
   * null for registrations made before images were prepared.
   */
  printPng: bytea("print_png"),
  /** For the back side: ≤ 2 KB two-colour PNG; null as `printPng`. */
  compactPng: bytea("compact_png"),
  registeredDate: date("registered_date", { mode: "string" }).notNull(),
  /** active | abolished (廃止) | cancelled (職権抹消 on 転出確定・死亡) */
  status: text("status").notNull(),
  endedDate: date("ended_date", { mode: "string" }),
  endReason: text("end_reason"),
}, (t) => [index("seal_resident_idx").on(t.residentId)]);

/** Issuance blocks (抑止): lifted only explicitly. */
export const issuanceBlocks = pgTable("issuance_blocks", {
  id: text("id").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  residentId: text("resident_id").notNull(),
  /** opt_out | support_measure (支援措置) | municipal */
  reason: text("reason").notNull(),
  startDate: date("start_date", { mode: "string" }).notNull(),
  endDate: date("end_date", { mode: "string" }),
  liftedAt: timestamp("lifted_at", { withTimezone: true, mode: "string" }),
  liftedReason: text("lifted_reason"),
}, (t) => [index("block_resident_idx").on(t.residentId)]);

/** Card user-authentication certificate serial ↔ resident. */
export const cardLinks = pgTable("card_links", {
  serial: text("serial").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  residentId: text("resident_id").notNull(),
  linkedAt: timestamp("linked_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
  unlinkedAt: timestamp("unlinked_at", { withTimezone: true, mode: "string" }),
}, (t) => [index("card_resident_idx").on(t.residentId)]);

/**
 * How far the center pusher (services/registry/center_binding.ts) has
 * derived the calls to the center from the municipality's outbox: every
 * committed event up to `derivedSeq` has its calls in `center_pushes`.
 */
export const centerPushCursors = pgTable("center_push_cursors", {
  municipalityCode: text("municipality_code").primaryKey(),
  derivedSeq: bigint("derived_seq", { mode: "number" }).notNull().default(0),
});

/**
 * The calls to the center an event calls for (card binding, move-out,
 * revocation), one row each, in event order (`seq`, `ord`): `pending`
 * until the center answers definitively — `done` (applied, or already
 * applied) or `refused` (its status and refusal code kept). Ids, keyed
 * digests and reasons only, never a name.
 */
export const centerPushes = pgTable("center_pushes", {
  municipalityCode: text("municipality_code").notNull(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  ord: integer("ord").notNull(),
  /** `binding` | `move_out` | `revoke`. */
  kind: text("kind").notNull(),
  serial: text("serial").notNull(),
  /** What is sent (digests and reason). */
  body: jsonb("body").notNull(),
  /** `pending` | `done` | `refused`. */
  status: text("status").notNull().default("pending"),
  attempts: integer("attempts").notNull().default(0),
  /** The center's last HTTP status (null: unreachable or never tried). */
  lastStatus: integer("last_status"),
  /** The center's last refusal code, or the transport's error class. */
  lastCode: text("last_code"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
  lastAttemptAt: timestamp("last_attempt_at", {
    withTimezone: true,
    mode: "string",
  }),
  settledAt: timestamp("settled_at", { withTimezone: true, mode: "string" }),
}, (t) => [
  primaryKey({ columns: [t.municipalityCode, t.seq, t.ord] }),
  index("center_pushes_pending_idx").on(t.municipalityCode, t.seq, t.ord)
    .where(sql`status = 'pending'`),
]);

/** A resident row. */
export type Resident = typeof residents.$inferSelect;
/** A household row. */
export type Household = typeof households.$inferSelect;
/** A seal registration row. */
export type SealRegistration = typeof sealRegistrations.$inferSelect;
/** An issuance block row. */
export type IssuanceBlock = typeof issuanceBlocks.$inferSelect;
/** A card link row. */
export type CardLink = typeof cardLinks.$inferSelect;
/** An outbox row. */
export type OutboxEvent = typeof outbox.$inferSelect;

/**
 * How far the municipality's 交付履歴 is stored from the center's feed of
 * its ledger entries (services/registry/issuances.ts): every entry up to
 * `contiguousSeq` is stored, none missing; `centerHead` is the center's last
 * number as last heard.
 */
export const issuanceFeedHeads = pgTable("issuance_feed_heads", {
  municipalityCode: text("municipality_code").primaryKey(),
  contiguousSeq: bigint("contiguous_seq", { mode: "number" }).notNull()
    .default(0),
  centerHead: bigint("center_head", { mode: "number" }).notNull().default(0),
  pulledAt: timestamp("pulled_at", { withTimezone: true, mode: "string" }),
});

/**
 * The center's ledger entries of the municipality as delivered, once each by
 * (municipality, seq): `issued`, `delivered`, `voided` (sheets lost to a jam
 * or refused by the kiosk), `revoked`. Ids only (applicant, subjects, card,
 * kiosk, store), never names.
 */
export const issuanceEntries = pgTable("issuance_entries", {
  municipalityCode: text("municipality_code").notNull(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  /** The entry's number in the center's whole ledger. */
  ledgerSeq: bigint("ledger_seq", { mode: "number" }).notNull(),
  at: timestamp("at", { withTimezone: true, mode: "string" }).notNull(),
  kind: text("kind").notNull(),
  issueNumber: text("issue_number").notNull(),
  requestId: text("request_id").notNull(),
  data: jsonb("data").notNull(),
  /** The entry's chain hash at the center. */
  hash: text("hash").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true, mode: "string" })
    .notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.municipalityCode, t.seq] }),
  index("issuance_entries_issue_idx").on(t.issueNumber),
]);

/**
 * The municipality's 交付履歴 (j300): one row per certificate issued at a
 * kiosk, folded from its entries — date and time, place (store) and
 * terminal (kiosk), person (applicant and the residents on the sheets, by
 * id), type, items (options, members), sheets, issue number, fee, the
 * status, what became of destroyed or voided sheets (処分情報) and the
 * revocation.
 */
export const issuances = pgTable("issuances", {
  issueNumber: text("issue_number").primaryKey(),
  municipalityCode: text("municipality_code").notNull(),
  issuedAt: timestamp("issued_at", { withTimezone: true, mode: "string" })
    .notNull(),
  /** Place: the store the kiosk stands in. */
  storeId: text("store_id").notNull(),
  /** Terminal: the kiosk. */
  kioskId: text("kiosk_id").notNull(),
  applicantId: text("applicant_id"),
  cardSerial: text("card_serial"),
  type: text("type").notNull(),
  /** "self" | "all" | resident ids, as asked. */
  members: jsonb("members"),
  /** Items printed (記載事項の選択). */
  options: jsonb("options"),
  /** The residents on the sheets (ids). */
  subjects: jsonb("subjects").notNull(),
  /** Sheets issued. */
  pages: integer("pages").notNull(),
  /** Fee charged after refunds, yen. */
  fee: integer("fee").notNull(),
  /** issued (print not yet reported) | delivered | voided | revoked */
  status: text("status").notNull(),
  deliveredPages: jsonb("delivered_pages").notNull(),
  voidedPages: jsonb("voided_pages").notNull(),
  /** 処分情報: each voiding (when, which sheets, why, refund). */
  disposal: jsonb("disposal").notNull(),
  revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "string" }),
  revokedBy: text("revoked_by"),
  revokeReason: text("revoke_reason"),
  /** The municipality's number of the last entry folded in. */
  lastSeq: bigint("last_seq", { mode: "number" }).notNull(),
}, (t) => [
  index("issuances_municipality_at_idx").on(
    t.municipalityCode,
    t.issuedAt,
    t.issueNumber,
  ),
  index("issuances_applicant_idx").on(t.municipalityCode, t.applicantId),
  index("issuances_subjects_idx").using("gin", t.subjects),
]);

/** A 交付履歴 row. */
export type IssuanceRow = typeof issuances.$inferSelect;
