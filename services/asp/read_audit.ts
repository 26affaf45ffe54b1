/**
 * The audit of every read of personal data at the ASP: one `audit_log`
 * record per read, in the transaction that read, naming the caller (its
 * client id, and the authenticated peer where the transport names one),
 * the purpose of the read, the ids of the persons read (ids only — never a
 * name or an address), the request id and the time. Reads: the
 * issuance check (`issuance.check`), a card serial resolved to its
 * resident (`card.resolve`), the household list a kiosk shows
 * (`household.read`) and a certificate build (`certificate.build`).
 *
 * @module
 */
import type { Context } from "hono";
import type { AuditRecord } from "./tenancy.ts";

/** The personal-data reads and why each is made. */
export const READ_PURPOSES = {
  "issuance.check": "issuance-eligibility",
  "card.resolve": "card-holder-lookup",
  "household.read": "kiosk-member-choice",
  "certificate.build": "certificate-issuance",
} as const;

/** An audited kind of read. */
export type ReadAction = keyof typeof READ_PURPOSES;

/** Who reads, for which request, when. */
export interface ReadAuditContext {
  /** The authenticated client id. */
  actor: string;
  /** The authenticated peer (mutual TLS), when known. */
  peer?: string | null;
  requestId: string;
  now: Date;
}

/**
 * The caller of a request as the read audit names it.
 *
 * @example
 * ```ts ignore
 * const who = readAuditContext(c, deps.clock.now());
 * ```
 */
export function readAuditContext(
  // deno-lint-ignore no-explicit-any
  c: Context<any>,
  now: Date,
): ReadAuditContext {
  const client = c.get("client") as { id: string } | undefined;
  const peer = c.get("peer") as string | { id?: string } | undefined;
  return {
    actor: client?.id ?? "unknown",
    peer: typeof peer === "string" ? peer : peer?.id ?? null,
    requestId: c.get("requestId") ?? "",
    now,
  };
}

/**
 * The audit record of one read of personal data.
 *
 * @example
 * ```ts ignore
 * await writeAudit(tx, personalDataRead(who, "card.resolve", code, [residentId]));
 * ```
 */
export function personalDataRead(
  who: ReadAuditContext,
  action: ReadAction,
  tenantCode: string,
  personIds: readonly string[],
  extra: { outcome?: string; details?: Record<string, unknown> } = {},
): AuditRecord {
  return {
    tenantCode,
    actor: who.actor,
    action,
    requestId: who.requestId || null,
    subject: personIds[0] ?? null,
    outcome: extra.outcome ?? "ok",
    at: who.now,
    details: {
      purpose: READ_PURPOSES[action],
      peer: who.peer ?? null,
      persons: [...new Set(personIds)],
      ...extra.details,
    },
  };
}
