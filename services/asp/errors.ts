/**
 * The ASP's refusals: one table of codes, statuses and messages.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError } from "../../lib/service/errors.ts";

/** Code → [status, Japanese, English]. */
const CODES = {
  TENANT_NOT_FOUND: [
    404,
    "市区町村が登録されていません",
    "Tenant (municipality) not found",
  ],
  RESIDENT_NOT_FOUND: [
    404,
    "住民が見つかりません",
    "Resident not found in the replica",
  ],
  CARD_NOT_FOUND: [404, "カードが見つかりません", "Card serial not linked"],
  WORK_NOT_FOUND: [
    404,
    "交付作業データが見つかりません",
    "No issuance work data for that request",
  ],
  REPLICA_STALE: [
    503,
    "副本が最新ではないため交付できません",
    "The replica is not fresh enough to issue",
  ],
  MOVED_IN_TODAY: [
    409,
    "本日転入の届出があったため交付できません",
    "Moved in today: cannot issue until tomorrow",
  ],
  RESIDENT_REMOVED: [
    409,
    "除票された住民です",
    "The resident's record has been removed",
  ],
  DECEASED: [409, "死亡により除票されています", "The resident is deceased"],
  MOVE_OUT_FILED: [
    409,
    "転出の届出があるため交付できません",
    "A move-out has been filed",
  ],
  SUPPORT_MEASURE: [
    409,
    "交付できません。窓口にお問い合わせください",
    "Issuance blocked (support measure)",
  ],
  OPT_OUT: [
    409,
    "コンビニ交付の利用停止が申し出られています",
    "The resident opted out of kiosk issuance",
  ],
  BLOCKED: [
    409,
    "交付が停止されています",
    "Issuance is blocked by the municipality",
  ],
  UNDER_15: [
    409,
    "15歳未満の方は利用できません",
    "Applicants under 15 cannot use the service",
  ],
  SEAL_NOT_REGISTERED: [
    409,
    "印鑑登録がありません",
    "No active seal registration",
  ],
  MY_NUMBER_NOT_ALLOWED: [
    409,
    "個人番号の記載はできません",
    "This municipality does not print My Number at kiosks",
  ],
  MY_NUMBER_UNAVAILABLE: [
    409,
    "個人番号を記載できません",
    "My Number is not available for this resident",
  ],
  MEMBER_NOT_IN_HOUSEHOLD: [
    409,
    "同一世帯の方ではありません",
    "A requested member is not in the applicant's household",
  ],
  INKAN_SELF_ONLY: [
    400,
    "印鑑登録証明書は本人分のみです",
    "A seal certificate is for the applicant only",
  ],
  FIELD_TOO_LONG: [
    409,
    "記載事項が長すぎるため交付できません",
    "A field does not fit the form",
  ],
  CARD_MISMATCH: [
    409,
    "カードと申請者が一致しません",
    "The card is not linked to the applicant",
  ],
  REQUEST_ID_REUSED: [
    409,
    "要求番号が重複しています",
    "The request id was already used",
  ],
  SNAPSHOT_NOT_NEWER: [
    409,
    "初期データが現在より新しくありません",
    "The snapshot is not newer than the replica",
  ],
  SNAPSHOT_INVALID: [400, "初期データが不正です", "The snapshot is invalid"],
  SYNC_NOT_STOPPED: [409, "同期は停止していません", "Sync is not stopped"],
} as const satisfies Record<
  string,
  readonly [ContentfulStatusCode, string, string]
>;

/** An ASP error code. */
export type AspCode = keyof typeof CODES;

/** Maps a code to its status (the service's one table). */
export function aspStatusOf(code: string): ContentfulStatusCode | undefined {
  return (CODES as Record<
    string,
    readonly [ContentfulStatusCode, string, string]
  >)[code]?.[0];
}

/**
 * A refusal of the ASP.
 *
 * @example
 * ```ts ignore
 * throw new AspError("REPLICA_STALE", { appliedSeq: 10, headSeq: 12 });
 * ```
 */
export class AspError extends DomainError {
  override readonly code: AspCode;
  constructor(code: AspCode, details?: unknown) {
    const [, ja, en] = CODES[code];
    super(code, ja, en, details);
    this.name = "AspError";
    this.code = code;
  }
}
