/**
 * [e2e] The municipality's 外字 travel on the media file: a replica loaded
 * from a medium draws them before the feed has answered once; a tenant that
 * already holds a newer set (from the feed) keeps it.
 */
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { openTestDatabase } from "./support/test_database.ts";
import { REGISTRY_MIGRATIONS } from "./support/registry_world.ts";
import { seedRegistry } from "../services/registry/seed/seed_registry.ts";
import { gaijiSet, putGaiji } from "../services/registry/gaiji.ts";
import {
  CONTROL_MIGRATIONS,
  createTenancy,
  rowsOf,
  type Tenancy,
} from "../services/asp/tenancy.ts";
import {
  createKeyring,
  generateMasterKeyBase64,
  parseMasterKey,
} from "../services/asp/keys.ts";
import { storeGaijiSet } from "../services/asp/sync_worker.ts";
import { applySnapshot } from "../services/asp/snapshot.ts";
import { AspError } from "../services/asp/errors.ts";
import { generateMediaKeys } from "../lib/media/keys.ts";
import { verifyMedia } from "../lib/media/reader.ts";
import { exportMedia } from "../services/registry/media_export.ts";
import { importMedia } from "../lib/media/import.ts";
import { aspMediaTarget } from "../services/asp/media_target.ts";

const CODE = "401005";
const SQUARE = "M100 100H900V900H100Z";
const TRIANGLE = "M500 100L900 900H100Z";

async function tenantGaiji(tenancy: Tenancy) {
  const rows = rowsOf<{ code_point: number; path: string }>(
    await tenancy.db.execute(
      sql.raw(`select code_point, path from t_${CODE}.gaiji order by 1`),
    ),
  );
  return {
    version: (await tenancy.get(CODE)).gaijiVersion,
    glyphs: rows.map((r) => [Number(r.code_point), r.path]),
  };
}

Deno.test("[e2e] media:export carries the municipality's 外字; media:import loads them with the switch (a newer set held from the feed is kept)", async () => {
  const registry = await openTestDatabase(REGISTRY_MIGRATIONS);
  const dir = await Deno.makeTempDir({ prefix: "media_gaiji_" });
  try {
    await seedRegistry(registry, {
      municipalityCode: CODE,
      residents: 20,
      seed: 5,
    });
    const actor = { client: "city-401005" };
    await putGaiji(registry.db, CODE, 0xe02a, SQUARE, actor);
    await putGaiji(registry.db, CODE, 0xe001, TRIANGLE, actor);
    const keys = await generateMediaKeys();
    // the seed's 外字 and these two, as the feed would carry the whole set
    const registered = await gaijiSet(registry.db, CODE);
    assert.ok(registered.glyphs!.some((g) => g.path === TRIANGLE));

    const load = async (before?: (tenancy: Tenancy) => Promise<void>) => {
      const file = `${dir}/${CODE}-${crypto.randomUUID()}.media`;
      await exportMedia(registry.db, {
        municipalityCode: CODE,
        out: file,
        signer: keys.signer,
        recipientPublicKey: keys.aspPublicKey,
      });
      const media = await verifyMedia(file, keys);
      assert.deepEqual(media.header.gaiji, registered);
      const asp = await openTestDatabase(CONTROL_MIGRATIONS);
      const tenancy = createTenancy({
        database: asp,
        keyring: createKeyring([
          parseMasterKey("mk-1", generateMasterKeyBase64()),
        ]),
      });
      await tenancy.provision({
        code: CODE,
        name: "北九州市",
        mayor: "北九州市長　武内　和久",
      });
      await before?.(tenancy);
      const { loader, audit } = aspMediaTarget(tenancy, { actor: "import" });
      await importMedia(file, { ...keys, loader, audit });
      return { asp, tenancy };
    };

    const fresh = await load();
    try {
      assert.deepEqual(await tenantGaiji(fresh.tenancy), {
        version: registered.version,
        glyphs: registered.glyphs!.map((g) => [g.codePoint, g.path]),
      });
    } finally {
      await fresh.asp.close();
    }

    const newer = await load((tenancy) =>
      storeGaijiSet(tenancy, CODE, {
        version: registered.version + 1,
        glyphs: [{ codePoint: 0xe02a, path: TRIANGLE }],
      })
    );
    try {
      assert.deepEqual(await tenantGaiji(newer.tenancy), {
        version: registered.version + 1,
        glyphs: [[0xe02a, TRIANGLE]],
      });
    } finally {
      await newer.asp.close();
    }
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("applySnapshot() refuses a media 外字 set the feed would refuse (SNAPSHOT_INVALID), the tenant as it was", async () => {
  const asp = await openTestDatabase(CONTROL_MIGRATIONS);
  try {
    const tenancy = createTenancy({
      database: asp,
      keyring: createKeyring([
        parseMasterKey("mk-1", generateMasterKeyBase64()),
      ]),
    });
    await tenancy.provision({
      code: CODE,
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
    });
    for (
      const glyph of [
        { codePoint: 0x5c71, path: SQUARE }, // 山: not a private-use character
        { codePoint: 0xe001, path: "M100 100 X" }, // not an outline
      ]
    ) {
      await assert.rejects(
        applySnapshot(tenancy, CODE, [], 5, {
          actor: "import",
          gaiji: { version: 1, glyphs: [glyph] },
        }),
        (e: unknown) => e instanceof AspError && e.code === "SNAPSHOT_INVALID",
      );
    }
    assert.equal((await tenancy.get(CODE)).snapshotSeq, null);
    assert.deepEqual(await tenantGaiji(tenancy), { version: 0, glyphs: [] });
  } finally {
    await asp.close();
  }
});
