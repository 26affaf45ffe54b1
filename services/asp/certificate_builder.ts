/**
 * Builds the sheets of a kiosk certificate from the replica: exactly the
 * applicant and the household members asked for, each checked by the rules
 * and against the form (never truncated), in the household's order (j1010)
 * and grouped into certificates by the municipality's household format
 * (household_format.ts: 個票式 one certificate per person, 世帯連記式 one
 * for all, several a sheet), bound to the request id and to the
 * replica sequence read. The sheets are kept as issuance work data (one row
 * per request id, never shared) until the center confirms delivery.
 *
 * @module
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { rowsOf, type Tx } from "../../lib/db/database.ts";
import { preparedSelect } from "../../lib/db/prepared_select.ts";
import {
  assertNever,
  certificatesOf,
  type CertificateType,
  CURRENT_TEMPLATE_VERSION,
  type IssuingMunicipality,
  type JuminhyoOptions,
  type KisaiItems,
  kisaiItemsOf,
  peopleOf,
  type SealImpression,
  type SheetBase,
  type SheetContent,
  type SubjectEntry,
  type TemplateVersion,
} from "../../lib/certificate/model.ts";
import { householdOrder } from "../../lib/certificate/member_order.ts";
import {
  type OptionalSubjectItems,
  optionalSubjectItemsOf,
} from "../../lib/certificate/types/mod.ts";
import type { Renderer } from "../../lib/render/mod.ts";
import { cardLinks, gaiji, issuanceWork } from "../../db/asp/tenant_schema.ts";
import {
  encodeGaijiSet,
  MAX_SHEET_GAIJI_CHARS,
  privateUseCodePoints,
} from "../../lib/render/gaiji.ts";
import { sheetToJson } from "../../lib/contracts/sheet_wire.ts";
import { type AspCode, AspError } from "./errors.ts";
import {
  applicantRefusal,
  householdMoveOutRefusal,
  personRefusal,
  readApplicantView,
} from "./issuance.ts";
import { readResident, readSeals, type ReplicaResident } from "./replica.ts";
import { aspMetrics, type Telemetry } from "./telemetry.ts";
import { formProfileOf, type Tenancy, writeAudit } from "./tenancy.ts";
import type { Tenant } from "../../db/asp/schema.ts";
import type {
  FormProfile,
  KisaiItem,
} from "../../lib/contracts/form_profile.ts";
import { CERTIFICATE_CATALOGUE } from "../../lib/certificate/types/mod.ts";
import { READ_PURPOSES } from "./read_audit.ts";
import { printedFurigana } from "./printed_furigana.ts";
import { planSheets } from "./household_format.ts";

/** A certificate request from the center. */
export interface CertificateRequest {
  /** Unique per request, end to end. */
  requestId: string;
  /** The applicant; absent: the resident the card serial is linked to. */
  applicantResidentId?: string;
  type: CertificateType;
  /** Who is printed: the applicant, the whole household, or chosen members. */
  members: "self" | "all" | string[];
  options: JuminhyoOptions;
  /** 発行番号 */
  issueNumber: string;
  /** ISO 8601 with offset. */
  issuedAt: string;
  /**
   * The card used: resolved to the applicant through the active card link
   * (in the build's transaction), or checked against the applicant given.
   */
  cardSerial?: string;
}

/** What the builder returns. */
export interface BuiltCertificate {
  requestId: string;
  /** The applicant the sheets were built for. */
  applicantResidentId: string;
  /** The applicant's basic identity (the center checks it against the card's holder binding). */
  applicant: { name: string; birthDate: string; sex: "male" | "female" };
  /** The replica sequence the sheets were read at. */
  replicaSeq: number;
  sheets: SheetContent[];
  /**
   * The applicant's household as read in the same transaction (at
   * `replicaSeq`): the center checks every subject against it before release.
   */
  household: {
    householdId: string;
    householderId: string | null;
    memberIds: string[];
  };
  /** Front sides as one PDF (when asked). */
  frontPdf?: Uint8Array;
}

/** Dependencies of the builder. */
export interface BuilderDeps extends Telemetry {
  tenancy: Tenancy;
  /** The front renderer (fit check and PDF). */
  renderer: () => Promise<Renderer>;
}

/** What a sheet of each type holds of its own besides the common fields. */
interface OwnPart {
  options: JuminhyoOptions;
  seal: SealImpression | undefined;
  kisaiItems: KisaiItems | undefined;
  /** 世帯連記式: the further members on the sheet. */
  members: SubjectEntry[];
  wholeHousehold: boolean;
}

/**
 * The issuing municipality as its registry's record states it (the feed's
 * policy, never the ASP's start-up configuration). Freshness already
 * refuses a tenant that never heard it (REPLICA_STALE, record_not_heard).
 */
function issuingMunicipality(code: string, t: Tenant): IssuingMunicipality {
  if (t.name === null || t.mayor === null) {
    throw new AspError("REPLICA_STALE", { reason: "record_not_heard" });
  }
  return { code, name: t.name, mayor: t.mayor };
}

/**
 * What the tenant's form profile makes a sheet of `type` print, as the
 * sheet records it (`form`); nothing for a type the profile does not touch.
 */
function sheetFormOf(
  type: CertificateType,
  profile: FormProfile,
): Pick<SheetBase, "form"> {
  const form = CERTIFICATE_CATALOGUE[type].sheetForm?.(profile);
  return form ? { form } : {};
}

/** One sheet of the type asked for, from its common fields and the type's own. */
function sheetOf(
  type: CertificateType,
  base: SheetBase,
  own: OwnPart,
): SheetContent {
  switch (type) {
    case "juminhyo":
      return {
        ...base,
        type,
        options: own.options,
        ...(own.members.length ? { members: own.members } : {}),
        ...(own.wholeHousehold ? { wholeHousehold: true as const } : {}),
      };
    case "inkan":
      if (!own.seal) throw new TypeError("印鑑登録証明書 without a seal");
      return { ...base, type, seal: own.seal };
    case "kisai":
      if (!own.kisaiItems) throw new TypeError("記載事項証明書 without items");
      return { ...base, type, options: own.kisaiItems };
    default:
      return assertNever(type, "certificate type");
  }
}

/**
 * The refusal of a request for others than the applicant, by type: null
 * where the household may be on it (the catalogue's `household`).
 */
const SELF_ONLY_REFUSAL = {
  juminhyo: null,
  inkan: "INKAN_SELF_ONLY",
  kisai: "KISAI_SELF_ONLY",
} as const satisfies Record<CertificateType, AspCode | null>;

/**
 * The items of a 記載事項証明書 for a person: the municipality's profile's,
 * less 本籍・筆頭者 for a foreign resident (who has none); KISAI_NO_ITEMS
 * when nothing is left.
 */
function kisaiItemsFor(
  r: ReplicaResident,
  profileItems: readonly KisaiItem[],
): KisaiItems {
  const items = profileItems.filter((i) => !(i === "honseki" && r.isForeign));
  if (!items.length) {
    throw new AspError("KISAI_NO_ITEMS", { residentId: r.id });
  }
  return kisaiItemsOf(items);
}

/** The person a form field belongs to (`members.N.…`: the sheet's N+2nd). */
function personOfField(sheet: SheetContent, field: string): SubjectEntry {
  const n = /^members\.(\d+)\./.exec(field);
  return (n && peopleOf(sheet)[Number(n[1]) + 1]) || sheet.subject;
}

/** Every text a sheet prints (its strings, nested ones included). */
function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) { for (const v of value) textsOf(v, out); }
  else if (
    value && typeof value === "object" && !(value instanceof Uint8Array)
  ) {
    for (const v of Object.values(value)) textsOf(v, out);
  }
  return out;
}

/**
 * Gives each sheet the registered outlines of the 外字 (private-use
 * characters) it prints, read from the tenant's `gaiji` table in the
 * build's transaction; refuses GAIJI_NOT_REGISTERED (with the sheet's
 * subject and the code points, never the text) when one has none — a
 * character is never printed as a box — and FIELD_TOO_LONG (field `gaiji`)
 * when the outlines are more than its back side can carry.
 */
async function attachGaiji(tx: Tx, sheets: SheetContent[]): Promise<void> {
  const used = sheets.map((s) => privateUseCodePoints(textsOf(s)));
  const all = [...new Set(used.flat())];
  if (!all.length) return;
  const rows = await tx.select().from(gaiji).where(
    inArray(gaiji.codePoint, all),
  );
  const outlines = new Map(rows.map((r) => [r.codePoint, r.path]));
  sheets.forEach((sheet, i) => {
    if (!used[i].length) return;
    const missing = used[i].filter((cp) => !outlines.has(cp));
    if (missing.length) {
      throw new AspError("GAIJI_NOT_REGISTERED", {
        residentId: sheet.subject.residentId,
        codePoints: missing.map((cp) => `U+${cp.toString(16).toUpperCase()}`),
      });
    }
    sheet.gaiji = encodeGaijiSet(
      new Map(used[i].map((cp) => [cp, outlines.get(cp)!])),
    );
    // More outlines than the back side can carry: refused like any other
    // content the form cannot hold.
    if (sheet.gaiji.length > MAX_SHEET_GAIJI_CHARS) {
      throw new AspError("FIELD_TOO_LONG", {
        residentId: sheet.subject.residentId,
        fields: ["gaiji"],
      });
    }
  });
}

/** The active link of a card serial (built once). */
const activeCardLink = preparedSelect(
  cardLinks,
  and(
    eq(cardLinks.serial, sql.placeholder("serial")),
    eq(cardLinks.active, true),
  ),
);

/**
 * The resident a card serial is linked to (its active link, read in the
 * caller's transaction), or CARD_NOT_FOUND. The build and the household
 * list resolve a card the same way, through this.
 *
 * @example
 * ```ts ignore
 * const applicantId = await residentOfCard(tx, "5bdd…");
 * ```
 */
export async function residentOfCard(tx: Tx, serial: string): Promise<string> {
  const links = await activeCardLink(tx, { serial: serial.toLowerCase() });
  if (!links.length) throw new AspError("CARD_NOT_FOUND");
  return links[0].residentId;
}

/** How the sheets print what the municipality's profile decides. */
interface Printing {
  templateVersion: TemplateVersion;
  /** Printed for an unrecorded part of the legal reading (null: blank). */
  furiganaMask: string | null;
}

function subjectOf(
  r: ReplicaResident,
  carried: OptionalSubjectItems,
  householderName: string | undefined,
  printing: Printing,
): SubjectEntry {
  const kana = printedFurigana(
    r,
    printing.templateVersion,
    printing.furiganaMask,
  );
  const s: SubjectEntry = {
    residentId: r.id,
    name: r.name,
    nameKana: kana.nameKana,
    birthDate: r.birthDate,
    sex: r.sex,
    address: r.address,
    becameResidentDate: r.becameResidentDate,
    addressSetDate: r.addressSetDate,
    notifiedDate: r.notifiedDate,
  };
  if (r.formerSurname) {
    s.formerSurname = r.formerSurname;
    if (kana.formerSurnameKana) s.formerSurnameKana = kana.formerSurnameKana;
  }
  if (r.alias) s.alias = r.alias;
  if (r.katagaki) s.katagaki = r.katagaki;
  if (r.previousAddress) s.previousAddress = r.previousAddress;
  if (carried.householderName && householderName) {
    s.householderName = householderName;
  }
  if (carried.relationship) s.relationship = r.relationship;
  if (carried.honseki && !r.isForeign) {
    if (r.honseki) s.honseki = r.honseki;
    if (r.hittousha) s.hittousha = r.hittousha;
  }
  if (carried.myNumber && r.myNumber) s.myNumber = r.myNumber;
  if (r.isForeign) {
    s.foreign = {
      alphabeticName: r.alphabeticName ?? "",
      nationality: r.nationality ?? "",
      residenceStatus: r.residenceStatus ?? "",
      periodOfStay: r.periodOfStay ?? "",
      expiryDate: r.stayExpiry ?? "",
      cardNumber: r.residenceCardNumber ?? "",
    };
  }
  return s;
}

/**
 * Builds a certificate for a request, or refuses with an AspError whose code
 * says why (REPLICA_STALE, CHANGED_TODAY, DECEASED, SUPPORT_MEASURE, …).
 * Every build and every refusal is audited.
 *
 * @example
 * ```ts ignore
 * const built = await buildCertificate(deps, "401005", request, { now: clock.now(), actor: "jlis", includePdf: true });
 * ```
 */
export async function buildCertificate(
  deps: BuilderDeps,
  code: string,
  req: CertificateRequest,
  opts: { now: Date; actor: string; includePdf?: boolean },
): Promise<BuiltCertificate> {
  const m = aspMetrics(deps.metrics);
  const renderer = await deps.renderer();
  try {
    const built = await deps.tenancy.withTenant(code, async (tx, t) => {
      let applicantId = req.applicantResidentId;
      if (req.cardSerial) {
        const linked = await residentOfCard(tx, req.cardSerial);
        if (applicantId && linked !== applicantId) {
          throw new AspError("CARD_MISMATCH", { residentId: applicantId });
        }
        applicantId = linked;
      }
      if (!applicantId) throw new AspError("RESIDENT_NOT_FOUND");
      const v = await readApplicantView(tx, t, applicantId, opts.now);
      const replicaSeq = Number(v.tenant.appliedSeq);
      const refusal = applicantRefusal(v);
      if (refusal) throw new AspError(refusal.code, refusal.details);
      const applicant = v.applicant;
      if (!applicant) {
        throw new AspError("RESIDENT_NOT_FOUND", { residentId: applicantId });
      }

      const options: JuminhyoOptions = req.type === "juminhyo"
        ? { ...req.options }
        : { honseki: false, zokugara: false, myNumber: false };
      if (options.myNumber && !v.tenant.printMyNumber) {
        throw new AspError("MY_NUMBER_NOT_ALLOWED");
      }

      let subjects: ReplicaResident[];
      const selfOnly = SELF_ONLY_REFUSAL[req.type];
      if (selfOnly) {
        if (req.members !== "self") throw new AspError(selfOnly);
        subjects = [applicant];
      } else if (req.members === "self") {
        subjects = [applicant];
      } else if (req.members === "all") {
        subjects = householdOrder(v.members, v.householderId);
      } else {
        const chosen: ReplicaResident[] = [];
        for (const id of new Set(req.members)) {
          const found = v.members.find((x) => x.id === id) ??
            (id === applicant.id ? applicant : null);
          if (found) {
            chosen.push(found);
            continue;
          }
          // A removed member of the same household is refused for what it is; anyone else is not a member.
          const other = await readResident(tx, t.cipher, id);
          if (other && other.householdId === applicant.householdId) {
            const r = personRefusal(
              other,
              v.blocks,
              v.today,
              v.tenant.sameDayEventTypes,
            );
            if (r) throw new AspError(r.code, r.details);
          }
          throw new AspError("MEMBER_NOT_IN_HOUSEHOLD", { residentId: id });
        }
        subjects = householdOrder(chosen, v.householderId);
      }
      const moveOut = householdMoveOutRefusal(v, subjects);
      if (moveOut) throw new AspError(moveOut.code, moveOut.details);
      for (const s of subjects) {
        const r = personRefusal(
          s,
          v.blocks,
          v.today,
          v.tenant.sameDayEventTypes,
        );
        if (r) throw new AspError(r.code, r.details);
        if (options.myNumber && !s.myNumber) {
          throw new AspError("MY_NUMBER_UNAVAILABLE", { residentId: s.id });
        }
      }

      let seal: SealImpression | undefined;
      if (req.type === "inkan") {
        const active = (await readSeals(tx, t.cipher, applicant.id)).filter((
          s,
        ) => s.status === "active");
        if (!active.length) {
          throw new AspError("SEAL_NOT_REGISTERED", {
            residentId: applicant.id,
          });
        }
        const s = active[0];
        seal = {
          registrationNumber: s.registrationNumber,
          registeredDate: s.registeredDate,
          // The back side's compact version; the front draws the print one.
          png: Uint8Array.fromBase64(s.compactPng),
          printPng: Uint8Array.fromBase64(s.printPng),
        };
      }

      const profile = formProfileOf(v.tenant);
      // Self only: the applicant's items, from the municipality's profile.
      const kisaiItems = req.type === "kisai"
        ? kisaiItemsFor(applicant, profile.kisaiItems)
        : undefined;
      const carried = optionalSubjectItemsOf(
        req.type === "juminhyo"
          ? { type: req.type, options }
          : req.type === "kisai"
          ? { type: req.type, options: kisaiItems! }
          : { type: req.type },
      );
      const householderName = v.members.find((x) => x.id === v.householderId)
        ?.name;
      const formRecord = sheetFormOf(req.type, profile);
      const printing: Printing = {
        templateVersion: CURRENT_TEMPLATE_VERSION,
        furiganaMask: profile.furiganaMask,
      };
      const memberIds = new Set([applicant.id, ...v.members.map((x) => x.id)]);
      // The certificates and their sheets by the municipality's household
      // format (個票式: one certificate per person; 世帯連記式: one, several
      // people a sheet); every sheet under the request's 発行番号 — the
      // center numbers each further certificate.
      const plans = planSheets(
        subjects.map((s) => subjectOf(s, carried, householderName, printing)),
        {
          format: req.type === "juminhyo" ? profile.householdFormat : "kohyo",
          perSheet: profile.membersPerSheet,
          options,
          wholeHousehold: subjects.length === memberIds.size &&
            subjects.every((s) => memberIds.has(s.id)),
        },
      );
      const sheets: SheetContent[] = plans.map((plan) =>
        sheetOf(req.type, {
          templateVersion: printing.templateVersion,
          issueNumber: req.issueNumber,
          issuedAt: req.issuedAt,
          municipality: issuingMunicipality(code, v.tenant),
          page: plan.page,
          pages: plan.pages,
          subject: plan.people[0],
          ...formRecord,
        }, {
          options,
          seal,
          kisaiItems,
          members: plan.people.slice(1),
          wholeHousehold: plan.wholeHousehold,
        })
      );
      await attachGaiji(tx, sheets);
      for (const sheet of sheets) {
        const problems = renderer.checkFits(sheet);
        if (problems.length) {
          throw new AspError("FIELD_TOO_LONG", {
            residentId: personOfField(sheet, problems[0].field).residentId,
            fields: problems.map((p) => p.field),
          });
        }
      }

      // The work data and the audit record go out together; a reused
      // request id rolls both back.
      const [inserted] = await Promise.all([
        tx.execute(sql`insert into ${issuanceWork}
          (request_id, applicant_id, replica_seq, created_at, data)
          values (${req.requestId}, ${applicant.id}, ${replicaSeq},
            ${opts.now.toISOString()}::timestamptz, ${
          t.cipher.sealJson("issuance_work", req.requestId, {
            sheets: sheets.map(sheetToJson),
          })
        })
          on conflict do nothing returning request_id`).then((r) => rowsOf(r)),
        writeAudit(tx, {
          tenantCode: code,
          actor: opts.actor,
          action: "certificate.build",
          requestId: req.requestId,
          subject: applicant.id,
          at: opts.now,
          details: {
            purpose: READ_PURPOSES["certificate.build"],
            persons: [
              ...new Set([
                applicant.id,
                ...v.members.map((m) => m.id),
                ...subjects.map((s) => s.id),
              ]),
            ],
            type: req.type,
            issueNumber: req.issueNumber,
            replicaSeq,
            members: subjects.map((s) => s.id),
            options,
            ...(kisaiItems ? { items: kisaiItems } : {}),
          },
        }),
      ]);
      if (!inserted.length) {
        throw new AspError("REQUEST_ID_REUSED", { requestId: req.requestId });
      }
      const household = {
        householdId: applicant.householdId,
        householderId: v.householderId,
        memberIds: [...new Set([applicant.id, ...v.members.map((x) => x.id)])],
      };
      return {
        requestId: req.requestId,
        applicantResidentId: applicant.id,
        applicant: {
          name: applicant.name,
          birthDate: applicant.birthDate,
          sex: applicant.sex,
        },
        replicaSeq,
        sheets,
        household,
      };
    });
    m.certificates.inc({ tenant: code, outcome: "ok" });
    if (opts.includePdf === false) return built;
    // Each certificate its own document (個票式: one per person).
    return {
      ...built,
      frontPdf: renderer.pdfOfDocuments(
        certificatesOf(built.sheets).map((sheets) => ({
          doc: { requestId: req.requestId, sheets },
        })),
      ),
    };
  } catch (err) {
    if (err instanceof AspError && err.code !== "TENANT_NOT_FOUND") {
      m.certificates.inc({ tenant: code, outcome: err.code });
      await deps.tenancy.withTenant(code, (tx) =>
        writeAudit(tx, {
          tenantCode: code,
          actor: opts.actor,
          action: "certificate.build",
          requestId: req.requestId,
          subject: req.applicantResidentId ?? null,
          outcome: err.code,
          at: opts.now,
          details: {
            purpose: READ_PURPOSES["certificate.build"],
            persons: req.applicantResidentId ? [req.applicantResidentId] : [],
            type: req.type,
            issueNumber: req.issueNumber,
            refusal: err.details ?? null,
          },
        }));
    }
    throw err;
  }
}

/**
 * Confirms deliveries: the work data of each request is deleted, with an
 * audit record per request, all in one transaction. Requests without work
 * data (never built here, or already confirmed) are listed in `notFound`.
 *
 * @example
 * ```ts ignore
 * const r = await markDeliveredMany(tenancy, "401005", [a, b], { actor: "jlis", now: clock.now() });
 * ```
 */
export async function markDeliveredMany(
  tenancy: Tenancy,
  code: string,
  requestIds: string[],
  opts: { actor: string; now: Date },
): Promise<{
  delivered: { requestId: string; replicaSeq: number }[];
  notFound: string[];
}> {
  const unique = [...new Set(requestIds)];
  if (!unique.length) return { delivered: [], notFound: [] };
  return await tenancy.withTenant(code, async (tx) => {
    const rows = await tx.delete(issuanceWork).where(
      inArray(issuanceWork.requestId, unique),
    )
      .returning({
        requestId: issuanceWork.requestId,
        replicaSeq: issuanceWork.replicaSeq,
        applicantId: issuanceWork.applicantId,
      });
    await writeAudit(
      tx,
      rows.map((r) => ({
        tenantCode: code,
        actor: opts.actor,
        action: "certificate.delivered",
        requestId: r.requestId,
        subject: r.applicantId,
        at: opts.now,
      })),
    );
    const found = new Set(rows.map((r) => r.requestId));
    return {
      delivered: rows.map((r) => ({
        requestId: r.requestId,
        replicaSeq: Number(r.replicaSeq),
      })),
      notFound: unique.filter((id) => !found.has(id)),
    };
  });
}

/**
 * Confirms one delivery (see {@linkcode markDeliveredMany}); WORK_NOT_FOUND
 * when the request has no work data here.
 *
 * @example
 * ```ts ignore
 * await markDelivered(tenancy, "401005", requestId, { actor: "jlis", now: clock.now() });
 * ```
 */
export async function markDelivered(
  tenancy: Tenancy,
  code: string,
  requestId: string,
  opts: { actor: string; now: Date },
): Promise<{ requestId: string; replicaSeq: number }> {
  const r = await markDeliveredMany(tenancy, code, [requestId], opts);
  if (!r.delivered.length) throw new AspError("WORK_NOT_FOUND", { requestId });
  return r.delivered[0];
}
