/**
 * Deterministic sample sheets (fictional residents) for the distortion
 * corpus, benches and tests of the back side: a 住民票の写し with every
 * option and foreign-resident items, or a 印鑑登録証明書 with a drawn seal.
 *
 * @module
 */

import sharp from "sharp";
import {
  assertNever,
  type CertificateType,
  type SheetContent,
  type SheetOf,
} from "../certificate/model.ts";
import { compactSealPng } from "../backside/seal_png.ts";

/** A small deterministic PRNG (mulberry32), returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = ["山田", "佐藤", "髙橋", "渡邉", "齋藤", "小野寺", "長谷川"];
const GIVEN = ["太郎", "花子", "健治", "美咲", "翔太", "由美子", "𠮷男"];
const TOWNS = ["小倉北区城内", "八幡西区黒崎", "戸畑区中本町", "門司区港町"];

function pick<T>(rand: () => number, list: T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function digits(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 10);
  return s;
}

/**
 * Draws a round red seal impression with a surname inside and compacts it.
 *
 * @example
 * ```ts
 * const png = await makeSealPng("山田");
 * ```
 */
export async function makeSealPng(surname: string): Promise<Uint8Array> {
  const chars = [...surname].map((c, i, all) =>
    `<text x="60" y="${
      60 + (i - (all.length - 1) / 2) * 34
    }" font-family="IPAexMincho" font-size="34" fill="#c81e1e" text-anchor="middle" dominant-baseline="central">${c}</text>`
  ).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120">
    <rect width="120" height="120" fill="#fff"/>
    <circle cx="60" cy="60" r="54" fill="none" stroke="#c81e1e" stroke-width="6"/>
    ${chars}</svg>`;
  const png = await sharp(new TextEncoder().encode(svg)).png().toBuffer();
  return await compactSealPng(new Uint8Array(png), { maxSide: 96 });
}

/**
 * Builds a fictional sheet. Same `seed` → same sheet.
 *
 * @example
 * ```ts
 * const sheet = await makeSampleSheet({ type: "inkan", seed: 7 });
 * ```
 */
export async function makeSampleSheet<T extends CertificateType>(
  options: { type: T; seed: number; issueNumber?: string },
): Promise<SheetOf<T>> {
  return await sampleSheet(options) as SheetOf<T>;
}

async function sampleSheet(
  options: { type: CertificateType; seed: number; issueNumber?: string },
): Promise<SheetContent> {
  const rand = seededRandom(options.seed);
  const surname = pick(rand, SURNAMES);
  const name = `${surname}　${pick(rand, GIVEN)}`;
  const serial = String(options.seed % 1000000).padStart(6, "0");
  const base = {
    templateVersion: 1 as const,
    issueNumber: options.issueNumber ?? `401005-20261126-${serial}`,
    issuedAt: "2026-11-26T10:15:00+09:00",
    municipality: {
      code: "401005",
      name: "北九州市",
      mayor: "北九州市長　北橋　健治",
    },
    page: 1,
    pages: 1,
  };
  const address = `福岡県北九州市${pick(rand, TOWNS)}${
    1 + Math.floor(rand() * 9)
  }番${1 + Math.floor(rand() * 30)}号`;
  const subjectBase = {
    residentId: `R${digits(rand, 10)}`,
    name,
    nameKana: "やまだ　たろう",
    birthDate: `19${50 + Math.floor(rand() * 50)}-0${
      1 + Math.floor(rand() * 9)
    }-1${Math.floor(rand() * 9)}`,
    sex: rand() < 0.5 ? "male" as const : "female" as const,
    address,
    becameResidentDate: "2001-04-01",
    addressSetDate: "2015-09-30",
    notifiedDate: "2015-10-02",
  };
  const type = options.type;
  switch (type) {
    case "inkan":
      return {
        ...base,
        type,
        subject: subjectBase,
        seal: {
          registrationNumber: digits(rand, 8),
          registeredDate: "2016-02-03",
          png: await makeSealPng(surname),
        },
      };
    case "juminhyo":
      break;
    default:
      return assertNever(type, "certificate type");
  }
  return {
    ...base,
    type,
    options: { honseki: true, zokugara: true, myNumber: true },
    subject: {
      ...subjectBase,
      formerSurname: "鈴木",
      formerSurnameKana: "すずき",
      alias: "ジョン・山田",
      householderName: name,
      relationship: "世帯主",
      honseki: "福岡県北九州市小倉北区城内１番",
      hittousha: name,
      myNumber: digits(rand, 12),
      katagaki: "メゾン城内　５０３号室",
      previousAddress: "東京都千代田区千代田１番１号",
      foreign: {
        alphabeticName: "JOHN YAMADA SMITH",
        nationality: "アメリカ合衆国",
        residenceStatus: "永住者",
        periodOfStay: "無期限",
        expiryDate: "2030-03-31",
        cardNumber: `AB${digits(rand, 8)}CD`,
      },
    },
  };
}
