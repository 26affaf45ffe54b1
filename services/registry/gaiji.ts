/**
 * The municipality's 外字: the outline of each private-use character it uses
 * in names and addresses (as municipal 外字 fonts hold them), registered by
 * its staff, carried to the ASP on every feed answer's `gaiji` (the whole
 * set only to a replica holding another version) and drawn on the
 * certificate. Outlines are SVG path data in a 1000 × 1000 em box
 * (lib/render/gaiji.ts), refused unless well-formed and bounded.
 *
 * @module
 */
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../lib/db/database.ts";
import {
  type FeedGaijiSet,
  type GaijiGlyph,
  MAX_GAIJI_PER_MUNICIPALITY,
} from "../../lib/contracts/registry_feed.ts";
import {
  GaijiPathError,
  isPrivateUse,
  parseGlyphPath,
} from "../../lib/render/gaiji.ts";
import { municipalities, municipalityGaiji } from "../../db/registry/schema.ts";
import { RegistryError } from "./errors.ts";
import { audit, loadMunicipality } from "./store.ts";

/**
 * A code point as the API names it (`E02A`, `U+E02A`, hex), checked to be
 * private-use; `GAIJI_NOT_PRIVATE_USE` otherwise.
 *
 * @example
 * ```ts
 * parseGaijiCodePoint("U+E02A"); // 0xe02a
 * ```
 */
export function parseGaijiCodePoint(text: string): number {
  const m = /^(?:U\+)?([0-9A-Fa-f]{4,6})$/.exec(text);
  const cp = m ? parseInt(m[1], 16) : NaN;
  if (!m || !isPrivateUse(cp)) {
    throw new RegistryError("GAIJI_NOT_PRIVATE_USE", {
      codePoint: text.slice(0, 12),
    });
  }
  return cp;
}

/**
 * Checks an outline; `GAIJI_PATH_INVALID` with the reason otherwise.
 *
 * @example
 * ```ts ignore
 * checkGaijiPath("M100 100H900V900H100Z");
 * ```
 */
export function checkGaijiPath(path: unknown): string {
  if (typeof path !== "string") {
    throw new RegistryError("GAIJI_PATH_INVALID", { reason: "not a string" });
  }
  try {
    parseGlyphPath(path);
  } catch (err) {
    if (!(err instanceof GaijiPathError)) throw err;
    throw new RegistryError("GAIJI_PATH_INVALID", { reason: err.message });
  }
  return path;
}

/** Who asks, for the audit trail. */
export interface GaijiActor {
  client: string;
  requestId?: string;
}

async function bumpVersion(tx: Tx, code: string): Promise<number> {
  const [row] = await tx.update(municipalities)
    .set({ gaijiVersion: sql`${municipalities.gaijiVersion} + 1` })
    .where(eq(municipalities.code, code))
    .returning({ version: municipalities.gaijiVersion });
  return row.version;
}

/**
 * Registers or replaces the outline of one 外字 (one transaction: the row,
 * the set's version and the audit record); answers the set's new version.
 *
 * @example
 * ```ts ignore
 * await putGaiji(db, "401005", 0xe02a, "M100 100H900V900H100Z", { client: "city" });
 * ```
 */
export async function putGaiji(
  db: Db,
  code: string,
  codePoint: number,
  path: string,
  actor: GaijiActor,
): Promise<{ version: number }> {
  checkGaijiPath(path);
  return await db.transaction(async (tx) => {
    await loadMunicipality(tx, code);
    const [{ n }] = await tx.select({ n: count() }).from(municipalityGaiji)
      .where(and(
        eq(municipalityGaiji.municipalityCode, code),
        sql`${municipalityGaiji.codePoint} <> ${codePoint}`,
      ));
    if (n >= MAX_GAIJI_PER_MUNICIPALITY) {
      throw new RegistryError("GAIJI_LIMIT", {
        limit: MAX_GAIJI_PER_MUNICIPALITY,
      });
    }
    await tx.insert(municipalityGaiji)
      .values({ municipalityCode: code, codePoint, path })
      .onConflictDoUpdate({
        target: [
          municipalityGaiji.municipalityCode,
          municipalityGaiji.codePoint,
        ],
        set: { path, updatedAt: sql`now()` },
      });
    const version = await bumpVersion(tx, code);
    await audit(tx, {
      client: actor.client,
      action: "gaiji.put",
      municipalityCode: code,
      requestId: actor.requestId,
      details: { codePoint: codePoint.toString(16).toUpperCase(), version },
    });
    return { version };
  });
}

/**
 * Removes one 外字 (`GAIJI_NOT_FOUND` when none); answers the new version.
 *
 * @example
 * ```ts ignore
 * await deleteGaiji(db, "401005", 0xe02a, { client: "city" });
 * ```
 */
export async function deleteGaiji(
  db: Db,
  code: string,
  codePoint: number,
  actor: GaijiActor,
): Promise<{ version: number }> {
  return await db.transaction(async (tx) => {
    await loadMunicipality(tx, code);
    const gone = await tx.delete(municipalityGaiji).where(and(
      eq(municipalityGaiji.municipalityCode, code),
      eq(municipalityGaiji.codePoint, codePoint),
    )).returning({ codePoint: municipalityGaiji.codePoint });
    if (!gone.length) {
      throw new RegistryError("GAIJI_NOT_FOUND", {
        codePoint: codePoint.toString(16).toUpperCase(),
      });
    }
    const version = await bumpVersion(tx, code);
    await audit(tx, {
      client: actor.client,
      action: "gaiji.delete",
      municipalityCode: code,
      requestId: actor.requestId,
      details: { codePoint: codePoint.toString(16).toUpperCase(), version },
    });
    return { version };
  });
}

/**
 * The municipality's 外字 set: its version and, unless the caller holds
 * that version already (`held`), every glyph in code-point order.
 *
 * @example
 * ```ts ignore
 * const set = await gaijiSet(db, "401005", 3); // { version: 3 } when unchanged
 * ```
 */
export async function gaijiSet(
  db: Db | Tx,
  code: string,
  held?: number,
): Promise<FeedGaijiSet> {
  const m = await loadMunicipality(db, code);
  if (held === m.gaijiVersion) return { version: m.gaijiVersion };
  const glyphs: GaijiGlyph[] = await db.select({
    codePoint: municipalityGaiji.codePoint,
    path: municipalityGaiji.path,
  }).from(municipalityGaiji)
    .where(eq(municipalityGaiji.municipalityCode, code))
    .orderBy(asc(municipalityGaiji.codePoint));
  return { version: m.gaijiVersion, glyphs };
}
