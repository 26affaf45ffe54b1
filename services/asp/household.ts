/**
 * The household list a kiosk shows to choose members by name: for the
 * resident a card is linked to, every current member of their household as
 * `{ residentId, name, relationship }` — nothing else leaves the replica.
 *
 * The card resolves to its applicant exactly as a build does
 * ({@linkcode residentOfCard}, the active card link), and the applicant is
 * checked by the same rules (freshness first, then the applicant's own
 * state: {@linkcode applicantRefusal}), so a stale replica, an applicant
 * under 15 or one who moved out is refused here with the code the
 * certificate request would get.
 *
 * Privacy: every current member is listed the same way. A member under
 * 支援措置, an opt-out or a municipal block is neither left out nor marked:
 * a gap in the list would itself tell the person at the kiosk that someone
 * is protected. Asking for that member's certificate is refused by the
 * build with the protected code, which the center turns into the neutral
 * NOT_ISSUABLE_AT_KIOSK, as for any request. Every read and every refusal
 * is audited (`household.read`), with the member ids read.
 *
 * The answer also states the tenant's household format (its form profile,
 * read through `formProfileOf`): whether a 住民票 of several members is one
 * certificate (世帯連記式) or one per person (個票式), so the kiosk quotes
 * the right fee before the resident confirms.
 *
 * @module
 */
import { householdOrder } from "../../lib/certificate/member_order.ts";
import { residentOfCard } from "./certificate_builder.ts";
import { AspError } from "./errors.ts";
import { applicantRefusal, readApplicantView } from "./issuance.ts";
import type { ReplicaResident } from "./replica.ts";
import { formProfileOf, type Tenancy, writeAudit } from "./tenancy.ts";
import type { HouseholdFormat } from "../../lib/contracts/form_profile.ts";
import { personalDataRead, type ReadAuditContext } from "./read_audit.ts";

/** One member as a kiosk may show them. */
export interface KioskMember {
  residentId: string;
  name: string;
  /** 続柄 as the registry holds it (世帯主, 妻, 子, …). */
  relationship: string;
}

/** The household list of a card's applicant. */
export interface KioskHousehold {
  applicantResidentId: string;
  /** The replica sequence read. */
  replicaSeq: number;
  /** The applicant first, then the others in certificate order (j1010). */
  members: KioskMember[];
  /** How the tenant prints a 住民票 of several members (its form profile). */
  householdFormat: HouseholdFormat;
}

/**
 * Orders a household for the list: the applicant first, then the others in
 * the order a certificate prints them (j1010: householder, spouse, children
 * by birth date, their families, parents, siblings, grandparents, other
 * relatives, 縁故者, 同居人; {@linkcode householdOrder}).
 *
 * @example
 * ```ts ignore
 * listOrder(members, applicantId, householderId).map((m) => m.id);
 * ```
 */
export function listOrder(
  members: ReplicaResident[],
  applicantId: string,
  householderId: string | null,
): ReplicaResident[] {
  const ordered = householdOrder(members, householderId);
  return [
    ...ordered.filter((m) => m.id === applicantId),
    ...ordered.filter((m) => m.id !== applicantId),
  ];
}

/**
 * Reads the household list of the resident `cardSerial` is linked to, or
 * refuses with an AspError (CARD_NOT_FOUND, REPLICA_STALE, UNDER_15,
 * MOVE_OUT_FILED, RESIDENT_NOT_FOUND, a protected code for the applicant
 * themself, …). Audited either way.
 *
 * @example
 * ```ts ignore
 * const h = await readKioskHousehold(tenancy, "401005", serial, { now: clock.now(), actor: "jlis", requestId });
 * ```
 */
export async function readKioskHousehold(
  tenancy: Tenancy,
  code: string,
  cardSerial: string,
  opts: ReadAuditContext,
): Promise<KioskHousehold> {
  let applicantId: string | null = null;
  try {
    return await tenancy.withTenant(code, async (tx, t) => {
      applicantId = await residentOfCard(tx, cardSerial);
      const v = await readApplicantView(tx, t, applicantId, opts.now);
      const replicaSeq = Number(v.tenant.appliedSeq);
      const refusal = applicantRefusal(v);
      if (refusal) throw new AspError(refusal.code, refusal.details);
      const applicant = v.applicant;
      if (!applicant) {
        throw new AspError("RESIDENT_NOT_FOUND", { residentId: applicantId });
      }
      const all = v.members.some((m) => m.id === applicant.id)
        ? v.members
        : [applicant, ...v.members];
      const members = listOrder(all, applicant.id, v.householderId).map((
        m,
      ) => ({ residentId: m.id, name: m.name, relationship: m.relationship }));
      const ids = members.map((m) => m.residentId);
      await writeAudit(
        tx,
        personalDataRead(opts, "household.read", code, ids, {
          details: { replicaSeq, members: ids },
        }),
      );
      return {
        applicantResidentId: applicant.id,
        replicaSeq,
        members,
        householdFormat: formProfileOf(v.tenant).householdFormat,
      };
    });
  } catch (err) {
    if (err instanceof AspError && err.code !== "TENANT_NOT_FOUND") {
      await tenancy.withTenant(code, (tx) =>
        writeAudit(
          tx,
          personalDataRead(
            opts,
            "household.read",
            code,
            applicantId ? [applicantId] : [],
            { outcome: err.code, details: { refusal: err.details ?? null } },
          ),
        ));
    }
    throw err;
  }
}
