/**
 * Live reconciliation between the registry and a tenant's replica at the
 * ASP, one definition for both sides: the ASP asks
 * `POST /municipalities/{code}/reconciliation` (its feed link, mutual TLS,
 * scope `feed`) for digests of the registry's records **as of the replica's
 * applied sequence** over ranges of subject ids, compares them with the same
 * digests of its own records, and narrows a difference range by range down
 * to the subject (a person, or a household) and the field.
 *
 * What is compared is said by the ASP in each request ({@linkcode FieldPlan}):
 * per kind of record, the fields the replica keeps — taken from its own
 * allowlists, so a field added there joins without code here. A field
 * whose stored form differs from the feed's names how the registry turns
 * the feed's value into it ({@linkcode FieldRule}): an instant in ISO UTC,
 * a strict boolean, or the absence of a value (a card link is `active` when
 * it has no `unlinkedAt`). Every other field is compared as its canonical
 * JSON.
 *
 * Digests are SHA-256 over canonical lines, salted with the request's
 * `nonce`: an answer only means something for the run that asked. An answer
 * carries digests and ids, never a value; the leaf answer (`detail`) gives
 * one digest per field of each record, so the ASP can name the field
 * without either side sending personal data.
 *
 * Records of residents removed on or before the replica's retention cutoff
 * (and households left with only such members) are left out on both sides
 * ({@linkcode withoutRetired}): the replica purges them, the registry keeps
 * them for 150 years.
 *
 * @module
 */
import { z } from "zod";
import { parseMessage } from "./wire.ts";

/** Kinds of records compared. */
export const RECONCILE_KINDS = [
  "resident",
  "household",
  "seal",
  "block",
  "card",
] as const;

/** A kind of record. */
export type ReconcileKind = (typeof RECONCILE_KINDS)[number];

/**
 * How the registry (the source) turns a feed value into the stored form;
 * the replica's value is compared as stored.
 */
export const FIELD_RULES = {
  /** Canonical JSON of the value (undefined = null). */
  value: (v: unknown) => v ?? null,
  /** An instant, as ISO 8601 UTC (null stays null). */
  instant: (v: unknown) => instantIso(v) ?? null,
  /** `true` only for `true`. */
  boolean: (v: unknown) => v === true,
  /** Whether there is no value (e.g. a card link is active when not unlinked). */
  absent: (v: unknown) => v === null || v === undefined,
} as const;

/** A rule of {@linkcode FIELD_RULES}. */
export type FieldRule = keyof typeof FIELD_RULES;

const kindSchema = z.enum(RECONCILE_KINDS);

/** One compared field: the stored name, the feed's name if different, the rule. */
export const fieldSpecSchema = z.object({
  field: z.string().min(1).max(64),
  from: z.string().min(1).max(64).optional(),
  rule: z.enum(Object.keys(FIELD_RULES) as [FieldRule, ...FieldRule[]])
    .optional(),
});

/** A compared field. */
export type FieldSpec = z.infer<typeof fieldSpecSchema>;

/** Per kind, the fields compared (the replica's allowlists). */
export const fieldPlanSchema = z.object({
  resident: z.array(fieldSpecSchema).max(200),
  household: z.array(fieldSpecSchema).max(200),
  seal: z.array(fieldSpecSchema).max(200),
  block: z.array(fieldSpecSchema).max(200),
  card: z.array(fieldSpecSchema).max(200),
});

/** Per kind, the fields compared. */
export type FieldPlan = z.infer<typeof fieldPlanSchema>;

/** A half-open range of subject ids `[from, to)` in code-unit order; null = unbounded. */
export const subjectRangeSchema = z.object({
  from: z.string().max(128).nullable(),
  to: z.string().max(128).nullable(),
});

/** A range of subject ids. */
export type SubjectRange = z.infer<typeof subjectRangeSchema>;

/** Most ranges one request may ask for. */
export const MAX_RANGES = 256;
/** Most records a detail answer carries (the rest: `truncated`). */
export const MAX_DETAIL_RECORDS = 200;

/** The ASP's request. */
export const reconcileRequestSchema = z.object({
  /** The sequence both sides compare at (the replica's applied sequence). */
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Salt of every digest of this run. */
  nonce: z.string().min(16).max(128),
  /** Residents removed on or before this date are left out (the replica's retention). */
  retentionCutoff: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  fields: fieldPlanSchema,
  ranges: z.array(subjectRangeSchema).min(1).max(MAX_RANGES),
  /** Also give per-field digests of every record in the ranges. */
  detail: z.boolean().default(false),
});

/** A reconciliation request. */
export type ReconcileRequest = z.infer<typeof reconcileRequestSchema>;

/** The digest of one range. */
export const rangeDigestSchema = subjectRangeSchema.extend({
  count: z.number().int().min(0),
  digest: z.string(),
});

/** One record's per-field digests (leaf answers). */
export const recordDigestSchema = z.object({
  kind: kindSchema,
  key: z.string(),
  subject: z.string(),
  fields: z.record(z.string(), z.string()),
});

/** A record's per-field digests. */
export type RecordDigest = z.infer<typeof recordDigestSchema>;

/** The registry's answer. */
export const reconcileResponseSchema = z.object({
  municipalityCode: z.string(),
  seq: z.number().int(),
  /** The registry's head when it answered (≥ seq). */
  head: z.number().int(),
  ranges: z.array(rangeDigestSchema),
  records: z.array(recordDigestSchema).optional(),
  truncated: z.boolean().optional(),
});

/** A reconciliation answer. */
export type ReconcileResponse = z.infer<typeof reconcileResponseSchema>;

/**
 * Parses the registry's answer (a ContractError if it does not match).
 *
 * @example
 * ```ts ignore
 * const answer = parseReconcileResponse(await res.json());
 * ```
 */
export function parseReconcileResponse(v: unknown): ReconcileResponse {
  return parseMessage(reconcileResponseSchema, v, "reconciliation answer");
}

/** A record compared: its kind, key, subject (person or household id) and fields. */
export interface ReconcileRecord {
  kind: ReconcileKind;
  key: string;
  /** The person the record belongs to (resident, seal, block, card) or the household. */
  subject: string;
  data: Record<string, unknown>;
}

/** Which side a record comes from: the source applies the rules, the replica is as stored. */
export type Side = "source" | "replica";

/**
 * An instant as ISO 8601 UTC (PostgreSQL's text form and JS's agree after
 * this); null for null or undefined, undefined when it is not an instant.
 *
 * @example
 * ```ts
 * instantIso("2026-11-26 01:00:00+00"); // "2026-11-26T01:00:00.000Z"
 * ```
 */
export function instantIso(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  const s = String(v);
  let t = Date.parse(s);
  if (Number.isNaN(t)) {
    // PostgreSQL text form: "2026-11-26 01:00:00.123+00" or "+09:30"
    const m =
      /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?$/
        .exec(s);
    if (m) t = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? "00"}`);
  }
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * Canonical JSON: object keys sorted, no spaces, undefined as null.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined || typeof v !== "object") {
    return JSON.stringify(v ?? null);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${
    Object.keys(o).sort().map((k) =>
      `${JSON.stringify(k)}:${canonicalJson(o[k])}`
    )
      .join(",")
  }}`;
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return new Uint8Array(d).toHex();
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a subject id lies in a range. */
export function inRange(subject: string, r: SubjectRange): boolean {
  return (r.from === null || subject >= r.from) &&
    (r.to === null || subject < r.to);
}

/** A field's compared value on a side. */
function fieldValue(rec: ReconcileRecord, spec: FieldSpec, side: Side) {
  if (side === "replica") return rec.data[spec.field] ?? null;
  return FIELD_RULES[spec.rule ?? "value"](rec.data[spec.from ?? spec.field]);
}

function recordLine(
  rec: ReconcileRecord,
  plan: FieldPlan,
  side: Side,
): string {
  return canonicalJson([
    rec.subject,
    rec.kind,
    rec.key,
    plan[rec.kind].map((s) => fieldValue(rec, s, side)),
  ]);
}

/**
 * Leaves out what the replica's retention removed: residents removed on or
 * before `cutoff`, their seals, blocks and card links, and households all
 * of whose members are such residents (the replica drops a household left
 * without members).
 *
 * @example
 * ```ts ignore
 * const kept = withoutRetired(records, "2021-11-26");
 * ```
 */
export function withoutRetired(
  records: ReconcileRecord[],
  cutoff: string | null,
): ReconcileRecord[] {
  if (!cutoff) return records;
  const retired = new Set<string>();
  const members = new Map<string, { all: number; retired: number }>();
  for (const r of records) {
    if (r.kind !== "resident") continue;
    const hh = String(r.data.householdId ?? "");
    const m = members.get(hh) ?? { all: 0, retired: 0 };
    m.all++;
    const removal = r.data.removalDate;
    if (
      r.data.status === "removed" && typeof removal === "string" &&
      removal <= cutoff
    ) {
      retired.add(r.key);
      m.retired++;
    }
    members.set(hh, m);
  }
  if (!retired.size) return records;
  return records.filter((r) => {
    if (r.kind === "household") {
      const m = members.get(r.key);
      return !m || m.retired < m.all;
    }
    return !retired.has(r.subject);
  });
}

/**
 * The count and digest of the records of each range (records sorted by
 * subject, kind and key; one canonical line each, salted with the nonce).
 *
 * @example
 * ```ts ignore
 * const [all] = await rangeDigests(records, [{ from: null, to: null }], plan, nonce, "replica");
 * ```
 */
export async function rangeDigests(
  records: ReconcileRecord[],
  ranges: SubjectRange[],
  plan: FieldPlan,
  nonce: string,
  side: Side,
): Promise<
  { from: string | null; to: string | null; count: number; digest: string }[]
> {
  const lines = records.map((r) => ({
    subject: r.subject,
    line: recordLine(r, plan, side),
  }))
    .sort((a, b) =>
      byCodeUnit(a.subject, b.subject) || byCodeUnit(a.line, b.line)
    );
  const out = [];
  for (const r of ranges) {
    const inside = lines.filter((l) => inRange(l.subject, r)).map((l) =>
      l.line
    );
    out.push({
      from: r.from,
      to: r.to,
      count: inside.length,
      digest: await sha256Hex(`${nonce}\n${inside.join("\n")}`),
    });
  }
  return out;
}

/**
 * Per-field digests of each record in the ranges (leaf answers), at most
 * `max` records; each digest names the record and the field, salted.
 *
 * @example
 * ```ts ignore
 * const { records } = await recordDigests(records, ranges, plan, nonce, "source");
 * ```
 */
export async function recordDigests(
  records: ReconcileRecord[],
  ranges: SubjectRange[],
  plan: FieldPlan,
  nonce: string,
  side: Side,
  max = MAX_DETAIL_RECORDS,
): Promise<{ records: RecordDigest[]; truncated: boolean }> {
  const inside = records.filter((r) =>
    ranges.some((g) => inRange(r.subject, g))
  )
    .sort((a, b) =>
      byCodeUnit(a.subject, b.subject) || byCodeUnit(a.kind, b.kind) ||
      byCodeUnit(a.key, b.key)
    );
  const out: RecordDigest[] = [];
  for (const r of inside.slice(0, max)) {
    const fields: Record<string, string> = {};
    for (const s of plan[r.kind]) {
      fields[s.field] = await sha256Hex(
        canonicalJson([nonce, r.kind, r.key, s.field, fieldValue(r, s, side)]),
      );
    }
    out.push({ kind: r.kind, key: r.key, subject: r.subject, fields });
  }
  return { records: out, truncated: inside.length > max };
}

/** One difference found: the subject, the record, and the field (`(record)`: present on one side only). */
export interface Difference {
  subject: string;
  kind: ReconcileKind;
  key: string;
  field: string;
}

/** The field name of a record present on one side only. */
export const WHOLE_RECORD = "(record)";

/**
 * The differences between the registry's per-field digests and the
 * replica's, record by record and field by field.
 *
 * @example
 * ```ts ignore
 * const diffs = compareRecordDigests(answer.records, mine.records);
 * ```
 */
export function compareRecordDigests(
  source: RecordDigest[],
  replica: RecordDigest[],
): Difference[] {
  const id = (r: RecordDigest) => `${r.kind}\u0000${r.key}`;
  const mine = new Map(replica.map((r) => [id(r), r]));
  const theirs = new Map(source.map((r) => [id(r), r]));
  const out: Difference[] = [];
  for (const s of source) {
    const m = mine.get(id(s));
    if (!m) {
      out.push({
        subject: s.subject,
        kind: s.kind,
        key: s.key,
        field: WHOLE_RECORD,
      });
      continue;
    }
    const subject = s.subject === m.subject
      ? s.subject
      : `${m.subject},${s.subject}`;
    for (const f of Object.keys(s.fields)) {
      if (s.fields[f] !== m.fields[f]) {
        out.push({ subject, kind: s.kind, key: s.key, field: f });
      }
    }
  }
  for (const m of replica) {
    if (!theirs.has(id(m))) {
      out.push({
        subject: m.subject,
        kind: m.kind,
        key: m.key,
        field: WHOLE_RECORD,
      });
    }
  }
  return out;
}

/**
 * Splits a range into at most `parts` ranges at subject ids of the
 * replica's that lie in it (so each part holds about as many of them).
 *
 * @example
 * ```ts
 * splitRange({ from: null, to: null }, ["a", "b", "c", "d"], 2);
 * // [{ from: null, to: "c" }, { from: "c", to: null }]
 * ```
 */
export function splitRange(
  r: SubjectRange,
  sortedSubjects: string[],
  parts: number,
): SubjectRange[] {
  const inside = sortedSubjects.filter((s) => inRange(s, r));
  const cuts: string[] = [];
  for (let i = 1; i < parts; i++) {
    const s = inside[Math.floor((i * inside.length) / parts)];
    if (
      s !== undefined && s !== r.from && !cuts.includes(s) &&
      (inside.length > 0 && s !== inside[0])
    ) cuts.push(s);
  }
  const bounds = [r.from, ...cuts, r.to];
  const out: SubjectRange[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    out.push({ from: bounds[i], to: bounds[i + 1] });
  }
  return out;
}
