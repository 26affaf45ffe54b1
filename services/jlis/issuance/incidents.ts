/**
 * Incidents and tenant halts. A document that fails the center's check
 * before release is never delivered: the request fails, an incident is
 * recorded and the municipality (tenant) is halted in the same transaction,
 * so every center instance refuses its next request for that municipality
 * (TENANT_HALTED) until an operator resumes it with a reason. The 2023
 * lesson: an error flagged by the center is an incident, not a retry.
 *
 * @module
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../lib/db/database.ts";
import { incidents, tenantHalts } from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";

/** What went wrong. */
export interface IncidentInput {
  at: Date;
  kind:
    | "SUBJECT_MISMATCH"
    | "BINDING_MISMATCH"
    | "BACK_SIDE_MISMATCH"
    | "MALFORMED_ANSWER"
    /** The ASP's answer carried no valid `X-Asp-Signature`: never read. */
    | "ANSWER_SIGNATURE_INVALID"
    /**
     * The ASP's live reconciliation found its replica differing from the
     * registry and refused (REPLICA_MISMATCH): fields and person ids only.
     */
    | "REPLICA_MISMATCH";
  municipalityCode: string;
  requestId: string;
  kioskId: string;
  aspNode: string | null;
  details: Record<string, unknown>;
}

/**
 * Records an incident and halts the tenant (one transaction). Returns the
 * incident id.
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
  return await db.transaction(async (tx) => {
    const [row] = await tx.insert(incidents).values({
      at: input.at,
      kind: input.kind,
      municipalityCode: input.municipalityCode,
      requestId: input.requestId,
      kioskId: input.kioskId,
      aspNode: input.aspNode,
      details: input.details,
    }).returning({ id: incidents.id });
    const open = await tx.select({ id: tenantHalts.id }).from(tenantHalts)
      .where(and(
        eq(tenantHalts.municipalityCode, input.municipalityCode),
        isNull(tenantHalts.resumedAt),
      ));
    if (!open.length) {
      await tx.insert(tenantHalts).values({
        municipalityCode: input.municipalityCode,
        haltedAt: input.at,
        reason: `${input.kind} on request ${input.requestId}`,
        incidentId: row.id,
      });
    }
    return row.id;
  });
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

/**
 * Recent incidents, newest first.
 *
 * @example
 * ```ts ignore
 * const recent = await listIncidents(db, 50);
 * ```
 */
export async function listIncidents(db: Db, limit = 100) {
  return await db.select().from(incidents).orderBy(desc(incidents.id)).limit(
    limit,
  );
}

/**
 * Halts, current and past, newest first.
 *
 * @example
 * ```ts ignore
 * const halts = await listHalts(db);
 * ```
 */
export async function listHalts(db: Db, limit = 100) {
  return await db.select().from(tenantHalts).orderBy(desc(tenantHalts.id))
    .limit(limit);
}
