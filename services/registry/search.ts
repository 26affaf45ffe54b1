/**
 * Finding residents for the city's own systems (`GET
 * /municipalities/{code}/residents?…`): criteria, their normalisation, and
 * keyset paging.
 *
 * - `name`: prefix of 氏名 with spaces ignored on both sides (山田, 山田　太郎,
 *   山田 太郎 and 山田太郎 all find 山田　太郎). Characters are otherwise
 *   compared exactly as stored: 髙 is not 高, 外字 and IVS stay themselves.
 * - `kana`: prefix of the ふりがな, hiragana and katakana alike, spaces
 *   ignored; the input is NFKC-normalised first (half-width ｶﾅ → カナ).
 * - `birthDate` exact, `household` the household id, `cardSerial` the
 *   resident a card is linked to now (unlinked cards find no one).
 * - `status`: `current` (default: active and 転出予定, still on the
 *   register), `removed` (除票 only) or `all`.
 *
 * Criteria combine with AND. Pages follow a key: (kana key, id) when `kana`
 * is given, else (name key, id) when `name` is, else id — each a range of
 * an index (db/registry/schema.ts; 0003_resident_search_indexes), so a page
 * costs the same at the millionth resident as at the first. The cursor is
 * that key of the page's last row, opaque to callers.
 *
 * @module
 */
import { and, eq, isNull, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../lib/db/database.ts";
import { validationError } from "../../lib/service/errors.ts";
import {
  cardLinks,
  HIRAGANA,
  kanaSearchKey,
  KATAKANA,
  nameSearchKey,
  residents,
} from "../../db/registry/schema.ts";

/** Which residents a search covers by status. */
export type SearchStatus = "current" | "removed" | "all";

/** What a search asks for (at least one of the first five). */
export interface SearchCriteria {
  name?: string;
  kana?: string;
  birthDate?: string;
  household?: string;
  cardSerial?: string;
  status: SearchStatus;
}

/** The criteria that select residents (status only narrows them). */
export const CRITERIA = [
  "name",
  "kana",
  "birthDate",
  "household",
  "cardSerial",
] as const;

/** A resident as a search lists them: no 個人番号, no 住民票コード. */
export interface ResidentListItem {
  id: string;
  status: string;
  name: string;
  nameKana: string;
  birthDate: string;
  sex: string;
  householdId: string;
  relationship: string;
  address: string;
  katagaki: string | null;
}

/** One page of a search. */
export interface SearchPage {
  items: ResidentListItem[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** The order pages follow. */
type Order = "kana" | "name" | "id";

interface Cursor {
  o: Order;
  /** The search key of the last row (absent for the id order). */
  k?: string;
  id: string;
}

const HIRA_TO_KATA = new Map(
  [...HIRAGANA].map((h, i) => [h, [...KATAKANA][i]]),
);

/**
 * The kana search key of a query: NFKC, hiragana folded into katakana,
 * spaces dropped — the same folding as the index's
 * {@linkcode kanaSearchKey} (which does not apply NFKC to stored kana).
 *
 * @example
 * ```ts
 * import { kanaKey } from "./search.ts";
 * kanaKey("やまだ　たろう"); // "ヤマダタロウ"
 * kanaKey("ﾔﾏﾀﾞ"); // "ヤマダ"
 * ```
 */
export function kanaKey(input: string): string {
  let out = "";
  for (const ch of input.normalize("NFKC")) {
    if (ch === " " || ch === "\u3000") continue;
    out += HIRA_TO_KATA.get(ch) ?? ch;
  }
  return out;
}

/**
 * The name search key of a query: spaces dropped, nothing else changed
 * (no Unicode normalisation: it would turn CJK compatibility ideographs
 * into other characters).
 *
 * @example
 * ```ts
 * import { nameKey } from "./search.ts";
 * nameKey("山田 太郎"); // "山田太郎"
 * ```
 */
export function nameKey(input: string): string {
  return input.replaceAll(/[ \u3000]/g, "");
}

/** Katakana (after folding), the prolonged sound mark and ・. */
const KANA_KEY = /^[\u30a1-\u30ff]+$/;

/**
 * Controls, lone surrogates and noncharacters (U+FFFE, U+FFFF, U+10FFFF…)
 * are refused, never sent to the database; a prefix then always has a
 * successor (see prefixEnd).
 */
function checkText(field: string, s: string): void {
  if (
    // deno-lint-ignore no-control-regex
    !s.isWellFormed() || /[\u0000-\u001f\u007f]/.test(s) ||
    /[\ufffe\uffff\u{1fffe}\u{1ffff}\u{10fffe}\u{10ffff}]/u.test(s)
  ) {
    throw validationError([{
      path: [field],
      message: "control characters or malformed text",
    }]);
  }
}

/** The smallest string greater than every string starting with `prefix` (code-point order). */
function prefixEnd(prefix: string): string {
  const cps = [...prefix];
  const last = cps.pop()!.codePointAt(0)!;
  // Skip the surrogate range: it never appears in stored text.
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return cps.join("") + String.fromCodePoint(next);
}

/** Encodes a cursor (base64url JSON). */
function encodeCursor(c: Cursor): string {
  return new TextEncoder().encode(JSON.stringify(c)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/** Decodes a cursor made for `order`, or refuses with VALIDATION_FAILED. */
function decodeCursor(s: string, order: Order): Cursor {
  const bad = () =>
    validationError([{
      path: ["cursor"],
      message: "not a cursor of this search's order",
    }]);
  let c: unknown;
  try {
    c = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.fromBase64(s, { alphabet: "base64url" }),
      ),
    );
  } catch {
    throw bad();
  }
  const o = c as Partial<Cursor> | null;
  if (
    !o || typeof o !== "object" || o.o !== order ||
    typeof o.id !== "string" || o.id.length > 40 ||
    (order !== "id" && (typeof o.k !== "string" || o.k.length > 400))
  ) {
    throw bad();
  }
  checkText("cursor", o.id);
  if (o.k !== undefined) checkText("cursor", o.k);
  return { o: order, k: o.k, id: o.id };
}

/** The criteria given, by name (for the audit record: names, never values). */
export function criteriaGiven(c: SearchCriteria): string[] {
  return CRITERIA.filter((k) => c[k] !== undefined);
}

/**
 * The query of one search page (limit + 1 rows, to know whether another page
 * follows), not yet run — the bench EXPLAINs it. Refuses (VALIDATION_FAILED)
 * text that is malformed, a kana query with anything but kana, and a cursor
 * of another order.
 *
 * @example
 * ```ts ignore
 * const { query } = searchQuery(db, "401005", { kana: "やまだ", status: "current" }, { limit: 20 });
 * const { sql, params } = query.toSQL();
 * ```
 */
export function searchQuery(
  db: Db,
  municipalityCode: string,
  criteria: SearchCriteria,
  page: { limit: number; cursor?: string },
) {
  const id = sql`(${residents.id} collate "C")`;
  const where: (SQL | undefined)[] = [
    eq(residents.municipalityCode, municipalityCode),
  ];
  let order: Order = "id";
  let sortKey: SQL | undefined;

  if (criteria.name !== undefined) {
    checkText("name", criteria.name);
    const p = nameKey(criteria.name);
    if (!p) {
      throw validationError([{ path: ["name"], message: "only spaces" }]);
    }
    const key = nameSearchKey(residents.name);
    where.push(sql`${key} >= ${p}`, sql`${key} < ${prefixEnd(p)}`);
    order = "name";
    sortKey = key;
  }
  if (criteria.kana !== undefined) {
    checkText("kana", criteria.kana);
    const p = kanaKey(criteria.kana);
    if (!KANA_KEY.test(p)) {
      throw validationError([{
        path: ["kana"],
        message: "kana only (hiragana or katakana)",
      }]);
    }
    const key = kanaSearchKey(residents.nameKana);
    where.push(sql`${key} >= ${p}`, sql`${key} < ${prefixEnd(p)}`);
    order = "kana";
    sortKey = key;
  }
  if (criteria.birthDate !== undefined) {
    where.push(eq(residents.birthDate, criteria.birthDate));
  }
  if (criteria.household !== undefined) {
    checkText("household", criteria.household);
    where.push(eq(residents.householdId, criteria.household));
  }
  if (criteria.cardSerial !== undefined) {
    checkText("cardSerial", criteria.cardSerial);
    where.push(
      sql`${residents.id} in (${
        db.select({ r: cardLinks.residentId }).from(cardLinks).where(and(
          eq(cardLinks.serial, criteria.cardSerial.toLowerCase()),
          eq(cardLinks.municipalityCode, municipalityCode),
          isNull(cardLinks.unlinkedAt),
        ))
      })`,
    );
  }
  if (criteria.status === "current") {
    where.push(ne(residents.status, "removed"));
  } else if (criteria.status === "removed") {
    where.push(eq(residents.status, "removed"));
  }
  if (page.cursor !== undefined) {
    const c = decodeCursor(page.cursor, order);
    where.push(
      sortKey
        ? sql`(${sortKey}, ${id}) > (${c.k}, ${c.id})`
        : sql`${id} > ${c.id}`,
    );
  }

  const query = db.select({
    id: residents.id,
    status: residents.status,
    name: residents.name,
    nameKana: residents.nameKana,
    birthDate: residents.birthDate,
    sex: residents.sex,
    householdId: residents.householdId,
    relationship: residents.relationship,
    address: residents.address,
    katagaki: residents.katagaki,
    key: sortKey ? sql<string>`${sortKey}` : sql<null>`null`,
  }).from(residents)
    .where(and(...where))
    .orderBy(...(sortKey ? [sortKey, id] : [id]))
    .limit(page.limit + 1);
  return { query, order };
}

/**
 * Searches a municipality's residents: one page and the cursor of the next.
 * The caller checks that some criterion is given.
 *
 * @example
 * ```ts ignore
 * const page = await searchResidents(db, "401005", { kana: "やまだ", status: "current" }, { limit: 20 });
 * ```
 */
export async function searchResidents(
  db: Db,
  municipalityCode: string,
  criteria: SearchCriteria,
  page: { limit: number; cursor?: string },
): Promise<SearchPage> {
  const { query, order } = searchQuery(db, municipalityCode, criteria, page);
  const rows = await query;

  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(({ key: _k, ...item }) => item),
    nextCursor: more && last
      ? encodeCursor({
        o: order,
        ...(order !== "id" ? { k: String(last.key) } : {}),
        id: last.id,
      })
      : null,
  };
}
