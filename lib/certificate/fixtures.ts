/**
 * Deterministic test fixtures for certificates: small factories that return
 * fresh objects on every call (no I/O, no shared state), overridable field by
 * field.
 *
 * - {@link makeSheet}: a one-sheet 住民票の写し for a Japanese householder.
 * - {@link makeInkanSheet}: a 印鑑登録証明書 with a generated impression PNG.
 * - {@link makeForeignSubject}: a foreign resident with 通称.
 * - {@link makeFormerSurnameSubject}: a resident with 旧氏.
 * - {@link makeGaijiSubject}: a name with a 外字 in the private use area and an
 *   ideographic variation sequence ("葛\u{E0100}").
 * - {@link makeHouseholdDocument}: a three-sheet household 住民票 document.
 *
 * @module
 */

import type {
  CertificateDocument,
  ForeignResidentItems,
  InkanSheet,
  IssuingMunicipality,
  JuminhyoOptions,
  JuminhyoSheet,
  SheetBase,
  SubjectEntry,
} from "./model.ts";
import { encodePng } from "../render/png_codec.ts";

/**
 * A private-use 外字 code point used by the fixtures (no glyph in IPAex).
 *
 * @example
 * ```ts
 * makeSubject({ name: `${PUA_GAIJI}田 一郎` });
 * ```
 */
export const PUA_GAIJI = "\uE02A";

/**
 * 葛 with the IVS selector VS17: a different glyph from plain 葛 in IPAex.
 *
 * @example
 * ```ts
 * makeSubject({ name: `${IVS_KATSURA}西 花子` });
 * ```
 */
export const IVS_KATSURA = "葛\u{E0100}";

/** Fields common to every sheet that can be overridden; nested objects merge. */
export type SheetBaseOverrides =
  & Partial<Omit<SheetBase, "subject" | "municipality">>
  & {
    subject?: Partial<SubjectEntry>;
    municipality?: Partial<IssuingMunicipality>;
  };

/** Fields of a 住民票 sheet that can be overridden; nested objects merge. */
export type SheetOverrides = SheetBaseOverrides & {
  options?: Partial<JuminhyoOptions>;
};

/** Fields of a 印鑑 sheet that can be overridden; nested objects merge. */
export type InkanSheetOverrides = SheetBaseOverrides & {
  seal?: InkanSheet["seal"];
};

/**
 * The issuing municipality of the fixtures (北九州市).
 *
 * @example
 * ```ts
 * makeMunicipality().code; // "401005"
 * ```
 */
export function makeMunicipality(
  overrides: Partial<IssuingMunicipality> = {},
): IssuingMunicipality {
  return {
    code: "401005",
    name: "北九州市",
    mayor: "北九州市長　北橋　健治",
    ...overrides,
  };
}

/**
 * A Japanese resident, householder of his household.
 *
 * @example
 * ```ts
 * makeSubject({ name: "山田 次郎" }).address; // "福岡県北九州市小倉北区城内１番１号"
 * ```
 */
export function makeSubject(
  overrides: Partial<SubjectEntry> = {},
): SubjectEntry {
  return {
    residentId: "R0000001",
    name: "山田　太郎",
    nameKana: "やまだ　たろう",
    birthDate: "1975-04-12",
    sex: "male",
    householderName: "山田　太郎",
    relationship: "世帯主",
    honseki: "福岡県北九州市小倉北区城内１番",
    hittousha: "山田　太郎",
    myNumber: "123456789018",
    address: "福岡県北九州市小倉北区城内１番１号",
    katagaki: "城内ハイツ１０１号",
    becameResidentDate: "2003-04-01",
    addressSetDate: "2015-10-01",
    notifiedDate: "2015-10-05",
    previousAddress: "福岡県福岡市中央区天神一丁目８番１号",
    ...overrides,
  };
}

/**
 * A resident with a former surname (旧氏) recorded.
 *
 * @example
 * ```ts
 * makeFormerSurnameSubject().formerSurname; // "佐藤"
 * ```
 */
export function makeFormerSurnameSubject(
  overrides: Partial<SubjectEntry> = {},
): SubjectEntry {
  return makeSubject({
    residentId: "R0000002",
    name: "山田　花子",
    nameKana: "やまだ　はなこ",
    formerSurname: "佐藤",
    formerSurnameKana: "さとう",
    birthDate: "1978-11-03",
    sex: "female",
    relationship: "妻",
    myNumber: "234567890127",
    becameResidentDate: "2015-10-01",
    ...overrides,
  });
}

/**
 * A foreign resident with an alias (通称) and residence items.
 *
 * @example
 * ```ts
 * makeForeignSubject().foreign?.nationality; // "アメリカ合衆国"
 * ```
 */
export function makeForeignSubject(
  overrides: Partial<SubjectEntry> = {},
  foreign: Partial<ForeignResidentItems> = {},
): SubjectEntry {
  const base = makeSubject({
    residentId: "R0000101",
    name: "スミス　ジョン",
    nameKana: "すみす　じょん",
    alias: "鈴木　次郎",
    birthDate: "1990-02-28",
    sex: "male",
    householderName: "スミス　ジョン",
    relationship: "世帯主",
    honseki: undefined,
    hittousha: undefined,
    myNumber: "345678901236",
    address: "福岡県北九州市八幡東区東田二丁目２番５号",
    katagaki: "グランドハイツ東田５０３",
    becameResidentDate: "2022-04-01",
    addressSetDate: "2022-04-01",
    notifiedDate: "2022-04-04",
    previousAddress: "アメリカ合衆国",
    foreign: {
      alphabeticName: "SMITH JOHN",
      nationality: "アメリカ合衆国",
      residenceStatus: "技術・人文知識・国際業務",
      periodOfStay: "5年",
      expiryDate: "2027-03-31",
      cardNumber: "AB12345678CD",
      ...foreign,
    },
    ...overrides,
  });
  return base;
}

/**
 * A resident whose name holds a 外字 in the private use area and an
 * ideographic variation sequence (葛 + VS17).
 *
 * @example
 * ```ts
 * makeGaijiSubject().name.includes("\u{E0100}"); // true
 * ```
 */
export function makeGaijiSubject(
  overrides: Partial<SubjectEntry> = {},
): SubjectEntry {
  return makeSubject({
    residentId: "R0000201",
    name: `${IVS_KATSURA}城　${PUA_GAIJI}子`,
    nameKana: "かつらぎ　よしこ",
    birthDate: "1989-01-08",
    sex: "female",
    householderName: `${IVS_KATSURA}城　${PUA_GAIJI}子`,
    myNumber: "456789012345",
    ...overrides,
  });
}

/**
 * A one-sheet 住民票の写し with every option off (page 1 of 1).
 *
 * @example
 * ```ts
 * makeSheet({ options: { zokugara: true } }).options; // { honseki: false, zokugara: true, myNumber: false }
 * ```
 */
export function makeSheet(overrides: SheetOverrides = {}): JuminhyoSheet {
  const { options, ...base } = overrides;
  return {
    type: "juminhyo",
    ...makeSheetBase(base),
    options: { honseki: false, zokugara: false, myNumber: false, ...options },
  };
}

function makeSheetBase(overrides: SheetBaseOverrides): SheetBase {
  const { subject, municipality, ...rest } = overrides;
  return {
    templateVersion: 1,
    issueNumber: "401005-20261126-000123",
    issuedAt: "2026-11-26T10:15:00+09:00",
    municipality: makeMunicipality(municipality),
    page: 1,
    pages: 1,
    ...rest,
    subject: makeSubject(subject),
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strokes of 山 and 田 in a unit box, as [x1, y1, x2, y2]. */
const SEAL_STROKES: Record<string, [number, number, number, number][]> = {
  山: [[0.5, 0.1, 0.5, 0.9], [0.15, 0.4, 0.15, 0.9], [0.85, 0.4, 0.85, 0.9], [
    0.15,
    0.9,
    0.85,
    0.9,
  ]],
  田: [
    [0.15, 0.15, 0.85, 0.15],
    [0.15, 0.15, 0.15, 0.9],
    [0.85, 0.15, 0.85, 0.9],
    [0.15, 0.9, 0.85, 0.9],
    [0.5, 0.15, 0.5, 0.9],
    [0.15, 0.52, 0.85, 0.52],
  ],
};

/** Options of {@link makeSealImpressionPng}. */
export interface SealImpressionOptions {
  /** Ink texture seed. Default 1. */
  seed?: number;
  /** Side of the square image, px. Default 240. */
  sizePx?: number;
}

/**
 * A registered seal impression: a red ring with 山 over 田, ink texture from
 * a seed, RGB PNG on white. Same options, same bytes.
 *
 * @example
 * ```ts
 * const png = makeSealImpressionPng({ seed: 7 });
 * png.length > 1000; // true
 * ```
 */
export function makeSealImpressionPng(
  options: SealImpressionOptions = {},
): Uint8Array {
  const size = options.sizePx ?? 240;
  const rnd = mulberry32(options.seed ?? 1);
  const data = new Uint8Array(size * size * 3).fill(255);
  const c = size / 2;
  const ring = [0.47 * size, 0.41 * size];
  const strokes: [number, number, number, number][] = [];
  const place = (ch: string, x0: number, y0: number, w: number, h: number) => {
    for (const [a, b, cc, d] of SEAL_STROKES[ch]) {
      strokes.push([x0 + a * w, y0 + b * h, x0 + cc * w, y0 + d * h]);
    }
  };
  place("山", 0.28 * size, 0.17 * size, 0.44 * size, 0.33 * size);
  place("田", 0.28 * size, 0.5 * size, 0.44 * size, 0.33 * size);
  const half = 0.035 * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      let ink = r <= ring[0] && r >= ring[1];
      for (let k = 0; !ink && k < strokes.length; k++) {
        const [x1, y1, x2, y2] = strokes[k];
        const dx = x2 - x1, dy = y2 - y1;
        const t = Math.max(
          0,
          Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)),
        );
        ink = Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy)) <= half;
      }
      const noise = rnd();
      if (ink && noise > 0.08) {
        const o = (y * size + x) * 3;
        data[o] = 200 + Math.floor(noise * 30);
        data[o + 1] = 30;
        data[o + 2] = 40;
      }
    }
  }
  return encodePng({ width: size, height: size, channels: 3, data });
}

/**
 * A 印鑑登録証明書 sheet with a registered impression.
 *
 * @example
 * ```ts
 * makeInkanSheet().seal.registrationNumber; // "12345"
 * ```
 */
export function makeInkanSheet(
  overrides: InkanSheetOverrides = {},
): InkanSheet {
  const { seal, ...base } = overrides;
  return {
    type: "inkan",
    ...makeSheetBase({ issueNumber: "401005-20261126-000124", ...base }),
    seal: seal ?? {
      registrationNumber: "12345",
      registeredDate: "2016-01-20",
      png: makeSealImpressionPng(),
    },
  };
}

/** Options of {@link makeHouseholdDocument}. */
export interface HouseholdOptions {
  options?: Partial<JuminhyoOptions>;
  issueNumber?: string;
  requestId?: string;
  issuedAt?: string;
}

/**
 * A household 住民票の写し of three sheets (householder, wife with 旧氏, son),
 * all options on unless overridden.
 *
 * @example
 * ```ts
 * makeHouseholdDocument().sheets.map((s) => s.page); // [1, 2, 3]
 * ```
 */
export function makeHouseholdDocument(
  opts: HouseholdOptions = {},
): CertificateDocument {
  const options = {
    honseki: true,
    zokugara: true,
    myNumber: true,
    ...opts.options,
  };
  const subjects = [
    makeSubject(),
    makeFormerSurnameSubject(),
    makeSubject({
      residentId: "R0000003",
      name: "山田　一郎",
      nameKana: "やまだ　いちろう",
      birthDate: "2019-05-01",
      sex: "male",
      relationship: "子",
      myNumber: "567890123452",
      becameResidentDate: "2019-05-01",
      addressSetDate: "2019-05-01",
      notifiedDate: "2019-05-07",
      previousAddress: undefined,
    }),
  ];
  return {
    requestId: opts.requestId ?? "req-00000000-0001",
    sheets: subjects.map((subject, i) =>
      makeSheet({
        ...(opts.issueNumber ? { issueNumber: opts.issueNumber } : {}),
        ...(opts.issuedAt ? { issuedAt: opts.issuedAt } : {}),
        options,
        page: i + 1,
        pages: subjects.length,
        subject,
      })
    ),
  };
}
