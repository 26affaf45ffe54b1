/**
 * What the center makes of a refusal from an ASP node. The node answers
 * with a code of the issuance catalogue (lib/refusals/issuance.ts): one the
 * center also answers (the replica's rules: UNDER_15, DECEASED,
 * SUPPORT_MEASURE, …) is forwarded as itself, with only the details that
 * help the applicant — the neutral rule for protected reasons is applied
 * later, at the kiosk-facing answer, after the center has recorded the
 * specific code. Anything else — the ASP's own codes, a common code such as
 * VALIDATION_FAILED, or a code the catalogue does not know — means the
 * exchange went wrong: ASP_UNAVAILABLE, and a log line naming the code.
 *
 * @module
 */
import { answeredBy, isIssuanceCode } from "../../../lib/refusals/issuance.ts";
import type { Logger } from "../../../lib/service/logger.ts";
import { JlisError } from "../errors.ts";

/**
 * The center's error for a node's non-success answer.
 *
 * @example
 * ```ts ignore
 * throw aspRefusal(409, { code: "UNDER_15" }, log); // JlisError UNDER_15
 * ```
 */
export function aspRefusal(
  status: number,
  body: Record<string, unknown>,
  log: Logger,
): JlisError {
  const code = typeof body.code === "string" ? body.code.slice(0, 64) : "";
  if (answeredBy("center", code)) {
    const d = (body.details ?? {}) as Record<string, unknown>;
    // Pass what helps the applicant, never other people's ids.
    const details: Record<string, unknown> = {};
    if (d.scope) details.scope = d.scope;
    if (d.fields) details.fields = d.fields;
    if (d.reason) details.reason = d.reason;
    return new JlisError(code, details);
  }
  log.error(
    isIssuanceCode(code)
      ? `ASP answered ${code}, which the center does not forward: ASP_UNAVAILABLE`
      : `ASP answered a code the catalogue does not know (${
        JSON.stringify(code)
      }): ASP_UNAVAILABLE`,
    { status, code },
  );
  return new JlisError("ASP_UNAVAILABLE", { status, code });
}

/**
 * The incident details of an ASP's signed REPLICA_MISMATCH refusal (its
 * reconciliation halted the tenant): the sequence compared at, when it
 * halted, and which field of which person id differs — strings checked and
 * capped, never a value; null when the answer is not that refusal.
 *
 * @example
 * ```ts
 * replicaMismatch({ code: "REPLICA_MISMATCH", details: { seq: 7, differences: [
 *   { subject: "401005-00000003", kind: "resident", key: "401005-00000003", field: "katagaki" },
 * ] } })?.differences.length; // 1
 * ```
 */
export function replicaMismatch(
  body: Record<string, unknown>,
): {
  seq: number | null;
  haltedAt: string | null;
  differences: Record<string, string>[];
} | null {
  if (body.code !== "REPLICA_MISMATCH") return null;
  const d = (body.details ?? {}) as Record<string, unknown>;
  const id = (v: unknown) =>
    typeof v === "string" && /^[\w.,:()-]{0,128}$/.test(v) ? v : "?";
  const list = Array.isArray(d.differences) ? d.differences.slice(0, 50) : [];
  return {
    seq: typeof d.seq === "number" ? d.seq : null,
    haltedAt: typeof d.haltedAt === "string" ? id(d.haltedAt) : null,
    differences: list.map((x) => {
      const o = (x ?? {}) as Record<string, unknown>;
      return {
        subject: id(o.subject),
        kind: id(o.kind),
        key: id(o.key),
        field: id(o.field),
      };
    }),
  };
}
