/**
 * The registry's refusals and their one status mapping.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError } from "../../lib/service/errors.ts";

/** Registry error codes → HTTP status (the service's one table). */
export const REGISTRY_STATUS: Record<string, ContentfulStatusCode> = {
  MUNICIPALITY_NOT_FOUND: 404,
  RESIDENT_NOT_FOUND: 404,
  HOUSEHOLD_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  SEAL_NOT_FOUND: 404,
  BLOCK_NOT_FOUND: 404,
  CARD_LINK_NOT_FOUND: 404,
  RESIDENT_REMOVED: 409,
  RESIDENT_NOT_ACTIVE: 409,
  RESIDENT_NOT_MOVING_OUT: 409,
  HOUSEHOLD_NOT_ACTIVE: 409,
  NOT_A_MEMBER: 409,
  ALREADY_HOUSEHOLDER: 409,
  HOUSEHOLDER_CANNOT_SEPARATE: 409,
  SAME_HOUSEHOLD: 409,
  ADDRESS_MISMATCH: 409,
  FORMER_SURNAME_EXISTS: 409,
  FORMER_SURNAME_ABSENT: 409,
  NOTHING_TO_CHANGE: 400,
  EVENT_ALREADY_CANCELLED: 409,
  EVENT_NOT_CANCELLABLE: 409,
  CANCEL_CONFLICT: 409,
  SEAL_ALREADY_REGISTERED: 409,
  SEAL_NOT_ACTIVE: 409,
  SEAL_IMAGE_INVALID: 400,
  UNDER_AGE_SEAL: 409,
  BLOCK_ALREADY_LIFTED: 409,
  CARD_ALREADY_LINKED: 409,
  DUPLICATE_RESIDENT_CODE: 409,
  PURPOSE_REQUIRED: 400,
  DATE_INVALID: 400,
};

/** Maps a code to its status. */
export function registryStatusOf(
  code: string,
): ContentfulStatusCode | undefined {
  return REGISTRY_STATUS[code];
}

/** Messages of the registry's refusals: code → [ja, en]. */
const MESSAGES: Record<string, [string, string]> = {
  MUNICIPALITY_NOT_FOUND: [
    "市区町村が登録されていません",
    "Municipality not found",
  ],
  RESIDENT_NOT_FOUND: ["住民が見つかりません", "Resident not found"],
  HOUSEHOLD_NOT_FOUND: ["世帯が見つかりません", "Household not found"],
  EVENT_NOT_FOUND: ["異動が見つかりません", "Event not found"],
  SEAL_NOT_FOUND: ["印鑑登録が見つかりません", "Seal registration not found"],
  BLOCK_NOT_FOUND: ["交付抑止が見つかりません", "Issuance block not found"],
  CARD_LINK_NOT_FOUND: [
    "カードの紐付けが見つかりません",
    "Card link not found",
  ],
  RESIDENT_REMOVED: [
    "除票された住民です",
    "The resident's record has been removed",
  ],
  RESIDENT_NOT_ACTIVE: [
    "住民は異動できる状態ではありません",
    "The resident is not in a state that allows this change",
  ],
  RESIDENT_NOT_MOVING_OUT: [
    "転出予定の届出がありません",
    "No move-out has been filed for this resident",
  ],
  HOUSEHOLD_NOT_ACTIVE: [
    "世帯が存在しないか消滅しています",
    "The household does not exist or has been dissolved",
  ],
  NOT_A_MEMBER: [
    "その世帯の世帯員ではありません",
    "The resident is not a member of that household",
  ],
  ALREADY_HOUSEHOLDER: [
    "すでに世帯主です",
    "The resident is already the householder",
  ],
  HOUSEHOLDER_CANNOT_SEPARATE: [
    "世帯主は世帯分離できません（先に世帯主変更が必要です）",
    "The householder cannot separate (change the householder first)",
  ],
  SAME_HOUSEHOLD: ["同一の世帯です", "Both households are the same"],
  ADDRESS_MISMATCH: [
    "住所が異なる世帯は合併できません",
    "Households at different addresses cannot merge",
  ],
  FORMER_SURNAME_EXISTS: [
    "旧氏はすでに記載されています",
    "A former surname is already recorded",
  ],
  FORMER_SURNAME_ABSENT: [
    "旧氏が記載されていません",
    "No former surname is recorded",
  ],
  NOTHING_TO_CHANGE: ["変更する項目がありません", "Nothing to change"],
  EVENT_ALREADY_CANCELLED: [
    "この異動はすでに取り消されています",
    "The event has already been cancelled",
  ],
  EVENT_NOT_CANCELLABLE: [
    "この異動は取り消せません",
    "This event cannot be cancelled",
  ],
  CANCEL_CONFLICT: [
    "後続の異動があるため取り消せません（後続の異動を先に取り消してください）",
    "Later events touched the same records; cancel those first",
  ],
  SEAL_ALREADY_REGISTERED: [
    "すでに印鑑登録があります",
    "A seal is already registered",
  ],
  SEAL_NOT_ACTIVE: [
    "印鑑登録は有効ではありません",
    "The seal registration is not active",
  ],
  SEAL_IMAGE_INVALID: [
    "印影画像が PNG ではありません",
    "The seal impression is not a PNG image",
  ],
  UNDER_AGE_SEAL: [
    "15歳未満の方は印鑑登録できません",
    "Residents under 15 cannot register a seal",
  ],
  BLOCK_ALREADY_LIFTED: [
    "交付抑止はすでに解除されています",
    "The block has already been lifted",
  ],
  CARD_ALREADY_LINKED: [
    "このカードはすでに紐付けられています",
    "The card is already linked",
  ],
  DUPLICATE_RESIDENT_CODE: [
    "住民票コードが重複しています",
    "Duplicate resident code",
  ],
  PURPOSE_REQUIRED: [
    "閲覧目的（X-Purpose）を指定してください",
    "State the purpose of the read (X-Purpose header)",
  ],
  DATE_INVALID: ["日付が正しくありません", "Invalid date"],
};

/**
 * A refusal of the registry.
 *
 * @example
 * ```ts ignore
 * throw new RegistryError("RESIDENT_REMOVED", { residentId: "401005-00000001" });
 * ```
 */
export class RegistryError extends DomainError {
  constructor(code: keyof typeof REGISTRY_STATUS & string, details?: unknown) {
    const [ja, en] = MESSAGES[code] ?? ["エラーが発生しました", code];
    super(code, ja, en, details);
    this.name = "RegistryError";
  }
}
