/**
 * The certificate data model shared by the ASP (which fills it from the
 * replica), the center (which signs it onto the back side) and the portal
 * (which shows it after decoding a scan).
 *
 * One *document* (one issue number) has one or more *sheets*; every sheet
 * carries its own back side, so a sheet can be verified on its own. A sheet
 * shows one person (`subject`), or from template version 3 a 世帯連記式
 * 住民票 sheet several members of one household (`subject` and `members`).
 *
 * @module
 */

import {
  type JuminhyoTitle,
  KISAI_ITEMS,
  type KisaiItem,
} from "../contracts/form_profile.ts";

/**
 * Kinds of certificate a kiosk can issue, spelled once. Everything that
 * depends on the kind (content schema, back-side code, names, form, fee,
 * portal label) is a `Record<CertificateType, …>` or ends in
 * {@link assertNever}, so adding a member here makes the compiler list every
 * place that must handle it; see lib/certificate/types/mod.ts.
 *
 * @example
 * ```ts ignore
 * z.enum(CERTIFICATE_TYPES); // ZodEnum<"juminhyo" | "inkan" | "kisai">
 * ```
 */
export const CERTIFICATE_TYPES = ["juminhyo", "inkan", "kisai"] as const;

/** Kinds of certificate a kiosk can issue. */
export type CertificateType = typeof CERTIFICATE_TYPES[number];

/**
 * Whether a value (e.g. a database column) names a certificate type.
 *
 * @example
 * ```ts
 * isCertificateType("inkan"); // true
 * isCertificateType("koseki"); // false
 * ```
 */
export function isCertificateType(value: unknown): value is CertificateType {
  return (CERTIFICATE_TYPES as readonly unknown[]).includes(value);
}

/**
 * The exhaustiveness check closing a `switch` over a closed set: the call
 * compiles only when every member was handled, and throws `RangeError` if a
 * value outside the set arrives at run time anyway.
 *
 * @example
 * ```ts ignore
 * switch (sheet.type) {
 *   case "juminhyo": return 1;
 *   case "inkan": return 2;
 *   default: return assertNever(sheet, "certificate type");
 * }
 * ```
 */
export function assertNever(value: never, what = "value"): never {
  const shown = typeof value === "object" && value !== null && "type" in value
    ? (value as { type: unknown }).type
    : value;
  throw new RangeError(`Unknown ${what} ${String(shown)}`);
}

/** Options of a 住民票の写し, each printed only when true. */
export interface JuminhyoOptions {
  /** 本籍・筆頭者 */
  honseki: boolean;
  /** 世帯主・続柄 */
  zokugara: boolean;
  /** 個人番号 (only where the municipality's policy allows it at kiosks) */
  myNumber: boolean;
}

/**
 * The items a 住民票記載事項証明書 prints, one flag per member of
 * `KISAI_ITEMS` (lib/contracts/form_profile.ts), true when printed: chosen
 * by the municipality's form profile (`kisaiItems`), recorded on the sheet
 * so the portal renders it as printed.
 */
export type KisaiItems = Record<KisaiItem, boolean>;

/**
 * The flags of a 住民票記載事項証明書 for a list of items (e.g. a profile's
 * `kisaiItems`): true for each item listed.
 *
 * @example
 * ```ts
 * kisaiItemsOf(["name", "address"]).address; // true
 * ```
 */
export function kisaiItemsOf(items: readonly KisaiItem[]): KisaiItems {
  return Object.fromEntries(
    KISAI_ITEMS.map((item) => [item, items.includes(item)]),
  ) as KisaiItems;
}

/**
 * The items a 住民票記載事項証明書 prints, in print order (the order of
 * `KISAI_ITEMS`, whatever order a profile lists them in).
 *
 * @example
 * ```ts
 * printedKisaiItems(kisaiItemsOf(["address", "name"])); // ["name", "address"]
 * ```
 */
export function printedKisaiItems(items: KisaiItems): KisaiItem[] {
  return KISAI_ITEMS.filter((item) => items[item]);
}

/** Items of a foreign resident printed on a 住民票の写し. */
export interface ForeignResidentItems {
  /** Alphabetic name as on the residence card. */
  alphabeticName: string;
  /** 国籍・地域 */
  nationality: string;
  /** 在留資格 */
  residenceStatus: string;
  /** 在留期間 (e.g. "3年") */
  periodOfStay: string;
  /** 在留期間の満了の日 (ISO date) */
  expiryDate: string;
  /** 在留カード等の番号 */
  cardNumber: string;
}

/**
 * One person as printed on one sheet. Strings are printed byte for byte
 * (外字 in the private use area and ideographic variation sequences included).
 * Dates are ISO `YYYY-MM-DD`; the renderer formats them in the Japanese era
 * (from template version 2 a foreign resident's birth date and 在留期間の満了の日
 * in the Western calendar, standard j90).
 */
export interface SubjectEntry {
  /** Registry person id: what the center checks against the applicant. */
  residentId: string;
  /** 氏名 */
  name: string;
  /**
   * ふりがな: up to template version 2 the registry's free reading; from 3
   * the legal 氏名の振り仮名 in katakana, each part (surname, given name)
   * only once recorded — else the municipality's mask, or nothing.
   */
  nameKana: string;
  /** 旧氏 (printed when recorded) */
  formerSurname?: string;
  /**
   * 旧氏のふりがな: up to version 2 the registry's free reading; from 3 the
   * legal 旧氏の振り仮名, only once recorded.
   */
  formerSurnameKana?: string;
  /** 通称 (foreign residents, printed when recorded) */
  alias?: string;
  /** 生年月日 */
  birthDate: string;
  /** 性別 */
  sex: "male" | "female";
  /** 世帯主 (printed only with the zokugara option) */
  householderName?: string;
  /** 続柄 (printed only with the zokugara option) */
  relationship?: string;
  /** 本籍 (printed only with the honseki option; Japanese residents) */
  honseki?: string;
  /** 筆頭者 (printed only with the honseki option) */
  hittousha?: string;
  /** 個人番号 (printed only with the myNumber option and policy) */
  myNumber?: string;
  /** 住所 */
  address: string;
  /** 方書 */
  katagaki?: string;
  /** 住民となった日 */
  becameResidentDate: string;
  /** 住所を定めた日 */
  addressSetDate: string;
  /** 届出日 */
  notifiedDate: string;
  /** 前住所 */
  previousAddress?: string;
  /** Foreign-resident items, for foreign residents only. */
  foreign?: ForeignResidentItems;
}

/** The registered seal of a 印鑑登録証明書. */
export interface SealImpression {
  /** 印鑑登録番号 */
  registrationNumber: string;
  /** 登録日 (ISO date) */
  registeredDate: string;
  /**
   * The impression image the back side carries (≤ 2 KB: the registry's
   * compact version), PNG bytes; the front draws it when there is no
   * `printPng`.
   */
  png: Uint8Array;
  /**
   * The print version the front draws (≥ 300 dpi in the 印影 box), PNG
   * bytes. Not on the back side, which carries its SHA-256 (`printSha256`).
   */
  printPng?: Uint8Array;
  /** SHA-256 of `printPng`: what a decoded back side has in its place. */
  printSha256?: Uint8Array;
}

/**
 * Template versions of the printed forms, oldest first. A version is frozen
 * once printed: the back side names it and the portal renders each sheet
 * with the version it was printed with. 1: the first forms (red 公印 over the
 * mayor's name, every date in the Japanese era); 2: the standard's rules
 * (j1050 black 公印 beside the mayor's title with its prefecture, j90
 * Western-calendar dates for a foreign resident); 3: the standard's printed
 * items (j1040: the 発行番号 with its date, municipality, terminal, printer,
 * serial and the sheet's page / total) and the municipality's form
 * profile (lib/contracts/form_profile.ts) as the sheet records it in
 * `form` — the 住民票's title wording, the 印鑑登録証明書's items (印影,
 * 氏名 with 旧氏/通称, 生年月日, 住所; 性別 by profile; no ふりがな line,
 * no 登録番号) and the legal 氏名の振り仮名 (令和5年法律第48号) in katakana
 * under 「（フリガナ）」, blank or the municipality's mask until recorded,
 * and the household formats (j1000: a 世帯連記式 sheet holds up to four
 * members, the 認証文 and 公印 stand on a certificate's last page only, in
 * the whole-household wording for the whole household).
 *
 * @example
 * ```ts
 * TEMPLATE_VERSIONS.includes(CURRENT_TEMPLATE_VERSION); // true
 * ```
 */
export const TEMPLATE_VERSIONS = [1, 2, 3] as const;

/** A template version of the printed forms. */
export type TemplateVersion = typeof TEMPLATE_VERSIONS[number];

/**
 * The template version new sheets are printed with.
 *
 * @example
 * ```ts
 * CURRENT_TEMPLATE_VERSION; // 3
 * ```
 */
export const CURRENT_TEMPLATE_VERSION: TemplateVersion = 3;

/**
 * Whether a value names a known template version.
 *
 * @example
 * ```ts
 * isTemplateVersion(1); // true
 * isTemplateVersion(9); // false
 * ```
 */
export function isTemplateVersion(value: unknown): value is TemplateVersion {
  return (TEMPLATE_VERSIONS as readonly unknown[]).includes(value);
}

/** The municipality that issues the certificate. */
export interface IssuingMunicipality {
  /** 6-digit local government code, e.g. "401005". */
  code: string;
  /** e.g. "北九州市" */
  name: string;
  /**
   * The mayor's title and name as recorded, e.g. "北九州市長　北橋　健治";
   * from template version 2 the form prints the title with its prefecture
   * (lib/certificate/official_title.ts).
   */
  mayor: string;
}

/**
 * What the municipality's form profile (lib/contracts/form_profile.ts) made
 * a sheet print, from template version 3: the back side carries it
 * (canonical key 101), so the portal renders the sheet as it was printed
 * whatever the profile says today. Each type records the choices its form
 * reads; an absent field prints as the default profile says.
 */
export interface SheetForm {
  /** The 住民票's printed title (「住民票の写し」 or 「住民票」). */
  juminhyoTitle?: JuminhyoTitle;
  /** Whether the 印鑑登録証明書 prints 性別. */
  inkanPrintsSex?: boolean;
}

/** What every sheet carries, whatever its type. */
export interface SheetBase {
  /** Template version of the printed form (see {@link TEMPLATE_VERSIONS}). */
  templateVersion: TemplateVersion;
  /** 発行番号: unique per copy (lib/contracts/issue_number.ts), e.g. "20261126-401005-kiosk-0001-01-0000123". */
  issueNumber: string;
  /** Issue date and time, ISO 8601 with +09:00 offset. */
  issuedAt: string;
  /** Issuing municipality. */
  municipality: IssuingMunicipality;
  /** 1-based page number of this sheet within the document. */
  page: number;
  /** Number of sheets in the document. */
  pages: number;
  /** The one person on this sheet (the registrant for 印鑑登録証明書). */
  subject: SubjectEntry;
  /**
   * The registered outlines of the 外字 (private-use characters) this sheet
   * prints, one line per character, `XXXX <SVG path in a 1000 em box>`
   * (lib/render/gaiji.ts); absent when it prints none. The back side
   * carries it, so the portal draws them as printed.
   */
  gaiji?: string;
  /** What the form profile made it print (template version 3 on; see {@link SheetForm}). */
  form?: SheetForm;
}

/** One sheet of a 住民票の写し: the person and the items the applicant chose. */
export interface JuminhyoSheet extends SheetBase {
  type: "juminhyo";
  /** The optional items printed on this sheet. */
  options: JuminhyoOptions;
  /**
   * 世帯連記式 (template version 3): the further members on this sheet,
   * after `subject`, in the household's order (j1010); at most
   * {@link MAX_MEMBERS_ON_SHEET} people on a sheet in all. Absent: the
   * sheet shows `subject` alone.
   */
  members?: SubjectEntry[];
  /**
   * True on the last sheet of a certificate of the whole household (世帯全員):
   * its 認証文 reads 「この写しは、世帯全員の住民票の原本と相違ないことを証明する。」.
   * Absent: the single wording (one person, or members chosen).
   */
  wholeHousehold?: true;
}

/**
 * Most people on one 住民票 sheet (世帯連記式: up to four, the profile's
 * `membersPerSheet`).
 */
export const MAX_MEMBERS_ON_SHEET = 4;

/**
 * Everyone a sheet shows, in print order: its subject, then (世帯連記式)
 * its further members.
 *
 * @example
 * ```ts ignore
 * peopleOf(sheet).map((p) => p.residentId);
 * ```
 */
export function peopleOf(sheet: SheetContent): SubjectEntry[] {
  const more = sheet.type === "juminhyo" ? sheet.members ?? [] : [];
  return [sheet.subject, ...more];
}

/** One 印鑑登録証明書: the registrant and the registered seal. */
export interface InkanSheet extends SheetBase {
  type: "inkan";
  /** The registered seal impression. */
  seal: SealImpression;
}

/**
 * One 住民票記載事項証明書: the applicant alone, with the items of the
 * municipality's profile (printed in `KISAI_ITEMS` order).
 */
export interface KisaiSheet extends SheetBase {
  type: "kisai";
  /** The items printed on this sheet (at least one). */
  options: KisaiItems;
}

/**
 * Everything printed on one sheet: the unit that the back side encodes and
 * that the portal shows after a verification. Discriminated on `type`.
 */
export type SheetContent = JuminhyoSheet | InkanSheet | KisaiSheet;

/**
 * The sheet of one certificate type.
 *
 * @example
 * ```ts ignore
 * const s: SheetOf<"inkan"> = makeInkanSheet();
 * s.seal.registrationNumber;
 * ```
 */
export type SheetOf<T extends CertificateType> = Extract<
  SheetContent,
  { type: T }
>;

/**
 * The certificates of a run of sheets, in print order: a certificate is the
 * run of sheets from a page 1 (個票式: one sheet each; 世帯連記式: pages
 * 1/n…n/n). Each gets its own 発行番号 and fee.
 *
 * @example
 * ```ts ignore
 * certificatesOf(sheets).map((c) => c.length); // 個票式 of three: [1, 1, 1]
 * ```
 */
export function certificatesOf<S extends Pick<SheetContent, "page">>(
  sheets: readonly S[],
): S[][] {
  const out: S[][] = [];
  for (const s of sheets) {
    if (s.page === 1 || !out.length) out.push([s]);
    else out[out.length - 1].push(s);
  }
  return out;
}

/** A whole document: sheets sharing one issue number. */
export interface CertificateDocument {
  /** The request id that travels end to end with the issuance. */
  requestId: string;
  /** One entry per sheet, in print order. */
  sheets: SheetContent[];
}

/** One 2D symbol placed on the back side, in millimetres from the sheet's top-left corner. */
export interface PlacedSymbol {
  /** Left edge of the symbol's first module, mm. */
  x: number;
  /** Top edge of the symbol's first module, mm. */
  y: number;
  /** Side of one module, mm. */
  moduleSize: number;
  /** Modules per row. */
  width: number;
  /** Modules per column. */
  height: number;
  /** Row-major, 1 = dark module. Length width × height. */
  modules: Uint8Array;
}

/** What the center prints on the back of one sheet. */
export interface BackSide {
  /** Id of the signing key (printed in clear as well). */
  keyId: string;
  /** The issue number, printed in clear under the symbols. */
  issueNumber: string;
  /** The symbols to draw, with redundancy already laid out. */
  symbols: PlacedSymbol[];
}
