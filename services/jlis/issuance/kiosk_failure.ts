/**
 * A kiosk's failure report: the kiosk printed nothing because an answer of
 * the center failed the kiosk's own checks (a signature that does not
 * verify with its provisioned keys, a malformed answer, a released document
 * that is not for its session — services/kiosk). The report is logged
 * (codes and ids only) and counted (`jlis_kiosk_failure_reports_total`);
 * when it is about the released document (stage `certificate`) and names
 * the session, whatever this kiosk's session released and nobody reported
 * printed is voided in the ledger in one transaction — every copy, every
 * page, each copy's fee refunded, reason `kiosk_refused` — so it can never
 * count as delivered.
 * A report naming a session counts toward the session's municipality's
 * repeated-failure incident (incidents.ts, `KIOSK_REFUSED`).
 *
 * @module
 */
import { sql } from "drizzle-orm";
import type { KioskFailureReport } from "../../../lib/contracts/kiosk_center.ts";
import { type Db, rowsOf } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/service/logger.ts";
import type { Counter, MetricsRegistry } from "../../../lib/service/metrics.ts";
import { appendLedger, requestCopies } from "./ledger.ts";
import type { FailurePolicy } from "./incidents.ts";
import { noteFailure } from "./issuance.ts";

function reports(metrics: MetricsRegistry): Counter {
  return metrics.counter(
    "jlis_kiosk_failure_reports_total",
    "Kiosks' reports of answers they refused to use (nothing printed), by stage and reason",
  );
}

/** What was voided because of a report. */
export interface FailureRecorded {
  recorded: true;
  voided:
    | { issueNumber: string; issueNumbers: string[]; pages: number[] }
    | null;
}

/**
 * Records a kiosk's failure report (see the module doc).
 *
 * @example
 * ```ts ignore
 * await recordKioskFailure(deps, { kioskId: "kiosk-0001", at: clock.now(), report });
 * ```
 */
export async function recordKioskFailure(
  deps: {
    db: Db;
    logger: Logger;
    metrics: MetricsRegistry;
    /** Repeated reports for one municipality open an incident (incidents.ts). */
    failurePolicy?: FailurePolicy;
  },
  input: { kioskId: string; at: Date; report: KioskFailureReport },
): Promise<FailureRecorded> {
  const { report } = input;
  reports(deps.metrics).inc({ stage: report.stage, reason: report.reason });
  const voided = report.stage === "certificate" && report.sessionId
    ? await voidSessionRelease(deps.db, input.kioskId, report, input.at)
    : null;
  // A report naming this kiosk's session counts toward its municipality's
  // repeated-failure incident (KIOSK_REFUSED).
  const [session] = report.sessionId
    ? rowsOf<{ municipality_code: string | null }>(
      await deps.db.execute(sql`select municipality_code from kiosk_sessions
        where id = ${report.sessionId} and kiosk_id = ${input.kioskId}`),
    )
    : [];
  if (session?.municipality_code) {
    await noteFailure(
      { ...deps, clock: { now: () => input.at } },
      deps.logger,
      {
        kind: "KIOSK_REFUSED",
        municipalityCode: session.municipality_code,
        requestId: report.sessionId!,
        kioskId: input.kioskId,
        aspNode: null,
      },
    );
  }
  deps.logger.warn("kiosk refused an answer: nothing printed", {
    kioskId: input.kioskId,
    stage: report.stage,
    code: report.reason,
    ...(report.sessionId ? { sessionId: report.sessionId } : {}),
    ...(report.problems ? { problems: report.problems } : {}),
    ...(voided ? { voidedIssueNumber: voided.issueNumber } : {}),
  });
  return { recorded: true, voided };
}

/** Voids the session's released, unreported request of this kiosk, if any. */
async function voidSessionRelease(
  db: Db,
  kioskId: string,
  report: KioskFailureReport,
  at: Date,
): Promise<FailureRecorded["voided"]> {
  const [req] = rowsOf<{
    request_id: string;
    issue_number: string;
    store_id: string;
  }>(
    await db.execute(sql`select request_id, issue_number, store_id
      from issuance_requests
      where session_id = ${report.sessionId!} and kiosk_id = ${kioskId}
        and state = 'released'`),
  );
  if (!req) return null;
  const copies = await requestCopies(db, req.request_id);
  if (!copies.length) return null;
  const done = await db.transaction(async (tx) => {
    const [moved] = rowsOf(
      await tx.execute(sql`update issuance_requests set state = 'voided'
        where request_id = ${req.request_id} and state = 'released' returning 1`),
    );
    if (!moved) return false;
    for (const c of copies) {
      await appendLedger(
        tx,
        {
          at,
          kind: "voided",
          issueNumber: c.issueNumber,
          requestId: req.request_id,
          data: {
            kioskId,
            storeId: req.store_id,
            copy: c.copy,
            delivered: [],
            pages: Array.from({ length: c.pages }, (_, i) => i + 1),
            reason: "kiosk_refused",
            kioskReason: report.reason,
            refund: c.fee,
          },
        },
        sql`update issuance_copies set state = 'voided'
          where issue_number = ${c.issueNumber} and state = 'released' returning 1`,
      );
    }
    return true;
  });
  if (!done) return null;
  const total = copies.reduce((n, c) => n + c.pages, 0);
  return {
    issueNumber: req.issue_number,
    issueNumbers: copies.map((c) => c.issueNumber),
    pages: Array.from({ length: total }, (_, i) => i + 1),
  };
}
