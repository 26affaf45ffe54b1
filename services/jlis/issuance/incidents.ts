/**
 * Incidents and tenant halts. A document that fails the center's check
 * before release is never delivered: the request fails, an incident is
 * recorded and the municipality (tenant) is halted in the same transaction,
 * so every center instance refuses its next request for that municipality
 * (TENANT_HALTED) until an operator resumes it with a reason. The 2023
 * lesson: an error flagged by the center is an incident, not a retry.
 *
 * Every kind is one entry of {@linkcode INCIDENT_KINDS} (whether it halts
 * the tenant, whether it is opened once per tenant while unacknowledged);
 * failures that are not incidents one by one (a timeout, the node
 * unreachable, …) are kinds of {@linkcode FAILURE_KINDS}: each is recorded
 * ({@linkcode recordFailure}) and `threshold` of one kind for one tenant
 * within `windowMs` open that kind's `REPEATED_*` incident. An incident
 * stays open until an operator acknowledges it with a reason
 * ({@linkcode acknowledgeIncident}); a later success closes nothing.
 *
 * @module
 */
import { and, desc, eq, gte, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../lib/db/database.ts";
import {
  incidents,
  tenantFailures,
  tenantHalts,
} from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";

/** What the catalogue says of an incident kind. */
export interface IncidentKindEntry {
  /** Recording it halts the tenant (until an operator resumes it). */
  readonly halts: boolean;
  /**
   * At most one unacknowledged incident of this kind per tenant: a second
   * occurrence while one is open is not a new incident.
   */
  readonly oncePerTenant: boolean;
  /** For operators and the municipality. */
  readonly operator: string;
}

/** The incident kinds (add a kind here; nothing else lists them). */
export const INCIDENT_KINDS = {
  SUBJECT_MISMATCH: {
    halts: true,
    oncePerTenant: false,
    operator: "A sheet names a person the request did not ask for",
  },
  BINDING_MISMATCH: {
    halts: true,
    oncePerTenant: false,
    operator: "The ASP's applicant is not the card's bound holder",
  },
  BACK_SIDE_MISMATCH: {
    halts: true,
    oncePerTenant: false,
    operator: "A back side read back from its modules differs from its front",
  },
  MALFORMED_ANSWER: {
    halts: true,
    oncePerTenant: false,
    operator: "The ASP's build answer breaks the center↔ASP contract",
  },
  ANSWER_SIGNATURE_INVALID: {
    halts: true,
    oncePerTenant: false,
    operator: "The ASP's build answer carried no valid X-Asp-Signature",
  },
  REPLICA_MISMATCH: {
    halts: true,
    oncePerTenant: false,
    operator:
      "The ASP's live reconciliation found its replica differing from the registry (fields and person ids only)",
  },
  BUILD_DIGEST_MISMATCH: {
    halts: true,
    oncePerTenant: true,
    operator:
      "The ASP node states a build digest other than the one expected for this municipality (an old or unknown build)",
  },
  CONFIG_DIGEST_MISMATCH: {
    halts: true,
    oncePerTenant: true,
    operator:
      "The ASP node states a configuration digest for this municipality other than the expected one (configuration drift)",
  },
  DIGESTS_NOT_SET: {
    halts: false,
    oncePerTenant: true,
    operator:
      "No expected build or configuration digest is set for this municipality and the center refuses unset ones: set them (/operations/digests)",
  },
  REPEATED_ASP_TIMEOUT: {
    halts: false,
    oncePerTenant: true,
    operator: "Requests timed out repeatedly (threshold within the window)",
  },
  REPEATED_ASP_UNAVAILABLE: {
    halts: false,
    oncePerTenant: true,
    operator:
      "The ASP node was unreachable or failed repeatedly (threshold within the window)",
  },
  REPEATED_ANSWER_SIGNATURE_INVALID: {
    halts: false,
    oncePerTenant: true,
    operator:
      "ASP answers outside the build (household, delivery) failed their signature repeatedly",
  },
  REPEATED_CARD_NOT_BOUND: {
    halts: false,
    oncePerTenant: true,
    operator:
      "Cards without a holder binding at the center were refused repeatedly",
  },
  REPEATED_KIOSK_REFUSED: {
    halts: false,
    oncePerTenant: true,
    operator:
      "Kiosks refused the center's answers (signature, schema or session check) repeatedly",
  },
} as const satisfies Record<string, IncidentKindEntry>;

/** An incident kind. */
export type IncidentKind = keyof typeof INCIDENT_KINDS;

/** Failures counted per tenant, and the incident each opens when repeated. */
export const FAILURE_KINDS = {
  /** The request's deadline passed (ISSUANCE_TIMEOUT). */
  ASP_TIMEOUT: { incident: "REPEATED_ASP_TIMEOUT" },
  /** The node could not be reached or failed (ASP_UNAVAILABLE). */
  ASP_UNAVAILABLE: { incident: "REPEATED_ASP_UNAVAILABLE" },
  /** A household or delivery answer's X-Asp-Signature failed. */
  ANSWER_SIGNATURE: { incident: "REPEATED_ANSWER_SIGNATURE_INVALID" },
  /** A card with no holder binding at the center (CARD_NOT_BOUND). */
  CARD_NOT_BOUND: { incident: "REPEATED_CARD_NOT_BOUND" },
  /** A kiosk refused the center's answer (its failure report). */
  KIOSK_REFUSED: { incident: "REPEATED_KIOSK_REFUSED" },
} as const satisfies Record<string, { incident: IncidentKind }>;

/** A failure kind. */
export type FailureKind = keyof typeof FAILURE_KINDS;

/** When repeated failures become an incident. */
export interface FailurePolicy {
  /** Failures of one kind for one tenant that open an incident (default 3). */
  threshold: number;
  /** Within this window, ms (default 10 min). */
  windowMs: number;
}

/** The default {@linkcode FailurePolicy}. */
export const DEFAULT_FAILURE_POLICY: FailurePolicy = {
  threshold: 3,
  windowMs: 10 * 60_000,
};

/** What went wrong. */
export interface IncidentInput {
  at: Date;
  kind: IncidentKind;
  municipalityCode: string;
  requestId: string;
  kioskId: string;
  aspNode: string | null;
  details: Record<string, unknown>;
}

/** An incident recorded, or the open one of its kind it joined. */
export interface RecordedIncident {
  id: number;
  /** False when an open incident of a once-per-tenant kind already stood. */
  opened: boolean;
}

async function recordIn(
  tx: Tx,
  input: IncidentInput,
): Promise<RecordedIncident> {
  const entry: IncidentKindEntry = INCIDENT_KINDS[input.kind];
  const openKey = entry.oncePerTenant
    ? `${input.municipalityCode}:${input.kind}`
    : null;
  const [row] = await tx.insert(incidents).values({
    at: input.at,
    kind: input.kind,
    municipalityCode: input.municipalityCode,
    requestId: input.requestId,
    kioskId: input.kioskId,
    aspNode: input.aspNode,
    details: input.details,
    openKey,
  }).onConflictDoNothing({ target: incidents.openKey }).returning({
    id: incidents.id,
  });
  let result: RecordedIncident;
  if (row) result = { id: row.id, opened: true };
  else {
    const [open] = await tx.select({ id: incidents.id }).from(incidents)
      .where(eq(incidents.openKey, openKey!));
    result = { id: open.id, opened: false };
  }
  if (entry.halts) {
    const halted = await tx.select({ id: tenantHalts.id }).from(tenantHalts)
      .where(and(
        eq(tenantHalts.municipalityCode, input.municipalityCode),
        isNull(tenantHalts.resumedAt),
      ));
    if (!halted.length) {
      await tx.insert(tenantHalts).values({
        municipalityCode: input.municipalityCode,
        haltedAt: input.at,
        reason: `${input.kind} on request ${input.requestId}`,
        incidentId: result.id,
      });
    }
  }
  return result;
}

/**
 * Records an incident and, for a kind that halts, halts the tenant (one
 * transaction). A kind opened once per tenant joins the open one instead
 * of opening a second.
 *
 * @example
 * ```ts ignore
 * const { id } = await recordIncident(db, { at, kind: "SUBJECT_MISMATCH", ... });
 * ```
 */
export async function recordIncident(
  db: Db,
  input: IncidentInput,
): Promise<RecordedIncident> {
  return await db.transaction((tx) => recordIn(tx, input));
}

/**
 * Records an incident, halting the tenant where its kind says so; returns
 * its id ({@linkcode recordIncident}).
 *
 * @example
 * ```ts ignore
 * const id = await recordIncidentAndHalt(db, { at, kind: "SUBJECT_MISMATCH", ... });
 * ```
 */
export async function recordIncidentAndHalt(
  db: Db,
  input: IncidentInput,
): Promise<number> {
  return (await recordIncident(db, input)).id;
}

/** One failure of a tenant. */
export interface FailureInput {
  at: Date;
  kind: FailureKind;
  municipalityCode: string;
  requestId: string;
  kioskId: string;
  aspNode: string | null;
}

/**
 * Records one failure; when this makes `threshold` failures of its kind for
 * the tenant within the window, opens (or joins) the kind's incident. One
 * transaction; returns the incident, or null below the threshold.
 *
 * @example
 * ```ts ignore
 * await recordFailure(db, { at, kind: "ASP_TIMEOUT", municipalityCode, requestId, kioskId, aspNode }, policy);
 * ```
 */
export async function recordFailure(
  db: Db,
  input: FailureInput,
  policy: FailurePolicy = DEFAULT_FAILURE_POLICY,
): Promise<RecordedIncident | null> {
  return await db.transaction(async (tx) => {
    await tx.insert(tenantFailures).values(input);
    const since = new Date(input.at.getTime() - policy.windowMs);
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(
      tenantFailures,
    ).where(and(
      eq(tenantFailures.municipalityCode, input.municipalityCode),
      eq(tenantFailures.kind, input.kind),
      gte(tenantFailures.at, since),
    ));
    if (Number(n) < policy.threshold) return null;
    return await recordIn(tx, {
      at: input.at,
      kind: FAILURE_KINDS[input.kind].incident,
      municipalityCode: input.municipalityCode,
      requestId: input.requestId,
      kioskId: input.kioskId,
      aspNode: input.aspNode,
      details: {
        failure: input.kind,
        failures: Number(n),
        threshold: policy.threshold,
        windowSeconds: Math.round(policy.windowMs / 1000),
      },
    });
  });
}

/**
 * Acknowledges an incident (an operator, with a reason): it is closed, and
 * a once-per-tenant kind may open again. Throws INCIDENT_NOT_FOUND,
 * INCIDENT_ALREADY_ACKNOWLEDGED. Does not resume a halted tenant.
 *
 * @example
 * ```ts ignore
 * await acknowledgeIncident(db, 12, { by: "ops", reason: "ASP link repaired, cause: …", at });
 * ```
 */
export async function acknowledgeIncident(
  db: Db,
  id: number,
  opts: { by: string; reason: string; at: Date },
) {
  const [row] = await db.update(incidents).set({
    acknowledgedAt: opts.at,
    acknowledgedBy: opts.by,
    acknowledgeReason: opts.reason,
    openKey: null,
  }).where(and(eq(incidents.id, id), isNull(incidents.acknowledgedAt)))
    .returning();
  if (row) return row;
  const [exists] = await db.select({ id: incidents.id }).from(incidents)
    .where(eq(incidents.id, id));
  throw new JlisError(
    exists ? "INCIDENT_ALREADY_ACKNOWLEDGED" : "INCIDENT_NOT_FOUND",
    { incidentId: id },
  );
}

/**
 * Whether a municipality is halted (read on every request, no cache).
 *
 * @example
 * ```ts ignore
 * if (await isHalted(db, "401005")) throw new JlisError("TENANT_HALTED");
 * ```
 */
export async function isHalted(db: Db, code: string): Promise<boolean> {
  const rows = await db.select({ id: tenantHalts.id }).from(tenantHalts)
    .where(and(
      eq(tenantHalts.municipalityCode, code),
      isNull(tenantHalts.resumedAt),
    )).limit(1);
  return rows.length > 0;
}

/**
 * Resumes a halted municipality (operator, after the incident was dealt
 * with). Throws NOT_HALTED.
 *
 * @example
 * ```ts ignore
 * await resumeTenant(db, "401005", { by: "ops-1", reason: "ASP fix deployed", at });
 * ```
 */
export async function resumeTenant(
  db: Db,
  code: string,
  opts: { by: string; reason: string; at: Date },
): Promise<void> {
  const rows = await db.update(tenantHalts).set({
    resumedAt: opts.at,
    resumedBy: opts.by,
    resumeReason: opts.reason,
  }).where(and(
    eq(tenantHalts.municipalityCode, code),
    isNull(tenantHalts.resumedAt),
  )).returning({ id: tenantHalts.id });
  if (!rows.length) {
    throw new JlisError("NOT_HALTED", { municipalityCode: code });
  }
}

/** Which incidents or halts to list. */
export interface ListOptions {
  /** Only this municipality's (a municipality reading its own). */
  municipalityCode?: string;
  limit?: number;
}

/**
 * Recent incidents, newest first (all, or one municipality's).
 *
 * @example
 * ```ts ignore
 * const recent = await listIncidents(db, { municipalityCode: "401005", limit: 50 });
 * ```
 */
export async function listIncidents(db: Db, opts: ListOptions = {}) {
  const q = db.select().from(incidents);
  const rows = opts.municipalityCode
    ? q.where(eq(incidents.municipalityCode, opts.municipalityCode))
    : q;
  return await rows.orderBy(desc(incidents.id)).limit(opts.limit ?? 100);
}

/**
 * Halts, current and past, newest first (all, or one municipality's).
 *
 * @example
 * ```ts ignore
 * const halts = await listHalts(db, { municipalityCode: "401005" });
 * ```
 */
export async function listHalts(db: Db, opts: ListOptions = {}) {
  const q = db.select().from(tenantHalts);
  const rows = opts.municipalityCode
    ? q.where(eq(tenantHalts.municipalityCode, opts.municipalityCode))
    : q;
  return await rows.orderBy(desc(tenantHalts.id)).limit(opts.limit ?? 100);
}
