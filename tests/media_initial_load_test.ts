/**
 * [e2e] Initial load: registry database → media file → ASP tenant, through
 * the ASP's own snapshot loader; refused files leave the tenant as it was.
 */
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { openTestDatabase } from "./support/test_database.ts";
import { outboxHeads } from "../db/registry/schema.ts";
import { auditLog } from "../db/asp/schema.ts";
import { REGISTRY_MIGRATIONS } from "./support/registry_world.ts";
import { seedRegistry } from "../services/registry/seed/seed_registry.ts";
import {
  CONTROL_MIGRATIONS,
  createTenancy,
  rowsOf,
} from "../services/asp/tenancy.ts";
import {
  createKeyring,
  generateMasterKeyBase64,
  parseMasterKey,
} from "../services/asp/keys.ts";
import { generateMediaKeys } from "../lib/media/keys.ts";
import { exportMedia } from "../services/registry/media_export.ts";
import { importMedia } from "../lib/media/import.ts";
import { MediaError, type MediaErrorCode } from "../lib/media/format.ts";
import { aspMediaTarget } from "../services/asp/media_target.ts";

const CODE = "401005";

Deno.test("[e2e] media:export → media:import loads the tenant, destroys the file, and refuses bad files", async () => {
  const registry = await openTestDatabase(REGISTRY_MIGRATIONS);
  const asp = await openTestDatabase(CONTROL_MIGRATIONS);
  const dir = await Deno.makeTempDir({ prefix: "media_e2e_" });
  try {
    await seedRegistry(registry, {
      municipalityCode: CODE,
      residents: 80,
      seed: 5,
    });
    await registry.db.update(outboxHeads).set({ lastSeq: 9 }).where(
      eq(outboxHeads.municipalityCode, CODE),
    );
    const keys = await generateMediaKeys();
    const other = await generateMediaKeys();
    const file = `${dir}/${CODE}.media`;
    const summary = await exportMedia(registry.db, {
      municipalityCode: CODE,
      out: file,
      signer: keys.signer,
      recipientPublicKey: keys.aspPublicKey,
    });
    const original = await Deno.readFile(file);

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
    const { loader, audit } = aspMediaTarget(tenancy, {
      actor: "media-import",
    });
    const residentsInTenant = async () =>
      Number(
        rowsOf<{ n: number }>(
          await asp.db.execute(
            sql.raw(`select count(*)::int as n from t_${CODE}.residents`),
          ),
        )[0].n,
      );

    // Refusals first: each leaves the tenant untouched and the file in place.
    const refuse = async (
      bytes: Uint8Array,
      code: MediaErrorCode,
      k = keys,
    ) => {
      await Deno.writeFile(file, bytes);
      await assert.rejects(
        () => importMedia(file, { ...k, loader, audit }),
        (e: unknown) => e instanceof MediaError && e.code === code,
      );
      assert.equal((await tenancy.get(CODE)).snapshotSeq, null);
      assert.equal(await residentsInTenant(), 0);
      assert.ok((await Deno.stat(file)).isFile);
    };
    const flipped = original.slice();
    flipped[original.length >> 1] ^= 0x20;
    await refuse(flipped, "MEDIA_CHUNK_CORRUPT");
    await refuse(original.subarray(0, original.length - 1), "MEDIA_TRUNCATED");
    await refuse(original, "MEDIA_WRONG_RECIPIENT", {
      ...keys,
      aspPrivateKey: other.aspPrivateKey,
    });

    await Deno.writeFile(file, original);
    const result = await importMedia(file, { ...keys, loader, audit });
    assert.equal(result.snapshotSeq, 9);
    assert.equal((await tenancy.get(CODE)).snapshotSeq, 9);
    assert.equal((await tenancy.get(CODE)).appliedSeq, 9);
    assert.equal(await residentsInTenant(), summary.counts.resident);
    await assert.rejects(() => Deno.stat(file), Deno.errors.NotFound);

    const actions = (await asp.db.select().from(auditLog).where(
      eq(auditLog.actor, "media-import"),
    ))
      .map((a) => `${a.action}:${a.outcome}`);
    assert.deepEqual(actions.filter((a) => a.startsWith("media.")), [
      "media.import.refused:refused",
      "media.import.refused:refused",
      "media.import.refused:refused",
      "media.import.loaded:ok",
      "media.destroyed:ok",
    ]);

    // The same file again is a replay: refused before loading, tenant stays at 9.
    await Deno.writeFile(file, original);
    await assert.rejects(
      () => importMedia(file, { ...keys, loader, audit }),
      (e: unknown) => e instanceof MediaError && e.code === "MEDIA_REPLAYED",
    );
    assert.equal((await tenancy.get(CODE)).snapshotSeq, 9);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await asp.close();
    await registry.close();
  }
});
