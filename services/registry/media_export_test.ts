import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { openTestDatabase } from "../../tests/support/test_database.ts";
import type { Database } from "../../lib/db/database.ts";
import {
  cardLinks,
  households,
  issuanceBlocks,
  municipalities,
  outboxHeads,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import { REGISTRY_MIGRATIONS } from "../../tests/support/registry_world.ts";
import {
  replicaBlock,
  replicaHousehold,
  replicaResident,
  replicaSeal,
} from "./store.ts";
import { seedRegistry } from "./seed/seed_registry.ts";
import { DEFAULT_FORM_PROFILE } from "../../lib/contracts/form_profile.ts";
import { generateMediaKeys } from "../../lib/media/keys.ts";
import { exportMedia } from "./media_export.ts";
import { readMedia, verifyMedia } from "../../lib/media/reader.ts";
import { MediaError, type MediaRecord } from "../../lib/media/format.ts";
import {
  importMedia,
  type MediaAuditRecord,
  type SnapshotLoader,
} from "../../lib/media/import.ts";

const CODE = "401005";

async function withRegistry(
  fn: (database: Database, dir: string) => Promise<void>,
): Promise<void> {
  const database = await openTestDatabase(REGISTRY_MIGRATIONS);
  const dir = await Deno.makeTempDir({ prefix: "media_export_test_" });
  try {
    await seedRegistry(database, {
      municipalityCode: CODE,
      residents: 120,
      seed: 3,
    });
    await database.db.update(outboxHeads).set({ lastSeq: 17 }).where(
      eq(outboxHeads.municipalityCode, CODE),
    );
    await fn(database, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await database.close();
  }
}

/** JSON round trip: what a record looks like after the file. */
const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** The records of one kind, in key order (the export does not sort). */
function ofKind(
  records: MediaRecord[],
  kind: MediaRecord["kind"],
): Record<string, unknown>[] {
  const key = kind === "card" ? "serial" : "id";
  return records.filter((r) => r.kind === kind).map((r) => r.data)
    .sort((a, b) =>
      String(a[key]) < String(b[key])
        ? -1
        : String(a[key]) > String(b[key])
        ? 1
        : 0
    );
}
const byKey =
  (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a[key]) < String(b[key])
      ? -1
      : String(a[key]) > String(b[key])
      ? 1
      : 0;

Deno.test("exportMedia() writes the registry's rows in the feed's shapes at the outbox head", async () => {
  await withRegistry(async (database, dir) => {
    const keys = await generateMediaKeys();
    const out = `${dir}/${CODE}.media`;
    let started: { snapshotSeq: number; total: number } | undefined;
    const summary = await exportMedia(database.db, {
      municipalityCode: CODE,
      out,
      signer: keys.signer,
      recipientPublicKey: keys.aspPublicKey,
      pageSize: 50,
      chunkRecords: 40,
      onStart: (s) => (started = s),
    });
    assert.equal(summary.snapshotSeq, 17);
    assert.equal(started?.snapshotSeq, 17);
    assert.equal(summary.counts.resident, 120);
    assert.equal(started?.total, summary.totalRecords);

    const v = await verifyMedia(out, keys);
    assert.equal(v.snapshotSeq, 17);
    const got: MediaRecord[] = [];
    for await (const b of readMedia(v)) got.push(...b);
    assert.equal(got.length, summary.totalRecords);

    const dbResidents = await database.db.select().from(residents);
    const fileResidents = ofKind(got, "resident");
    assert.deepEqual(
      fileResidents,
      viaJson(
        dbResidents.map((r) =>
          replicaResident(r, { printMyNumberAtKiosk: false })
        ),
      ).sort(byKey("id")),
    );
    for (const r of fileResidents) {
      assert.ok(
        !("residentCode" in r) && !("myNumber" in r),
        "住民票コード and 個人番号 never leave",
      );
    }
    // The legal 氏名の振り仮名 travels with each resident, recorded or not.
    const readings = fileResidents.map((r) => [
      r.furiganaSurname ?? null,
      r.furiganaGivenName ?? null,
    ]);
    assert.ok(readings.some(([s, g]) => s && g), "both parts recorded");
    assert.ok(readings.some(([s, g]) => !s && !g), "none recorded");
    assert.ok(fileResidents.every((r) => "furiganaSurnameStatus" in r));
    assert.ok(fileResidents.every((r) => "formerSurnameFurigana" in r));
    const dbSeals = await database.db.select().from(sealRegistrations);
    assert.ok(dbSeals.length > 0);
    assert.deepEqual(
      ofKind(got, "seal"),
      viaJson(dbSeals.map(replicaSeal)).sort(byKey("id")),
    );
    const dbBlocks = await database.db.select().from(issuanceBlocks);
    const dbCards = await database.db.select().from(cardLinks);
    const dbHouseholds = await database.db.select().from(households);
    assert.ok(dbCards.length > 0 && dbHouseholds.length > 0);
    assert.deepEqual(
      ofKind(got, "block"),
      viaJson(dbBlocks.map(replicaBlock)).sort(byKey("id")),
    );
    assert.deepEqual(
      ofKind(got, "card"),
      viaJson(dbCards).sort(byKey("serial")),
    );
    assert.deepEqual(
      ofKind(got, "household"),
      viaJson(dbHouseholds.map(replicaHousehold)).sort(byKey("id")),
    );
    // Kinds come in load order.
    const order = [...new Set(got.map((r) => r.kind))];
    assert.deepEqual(
      order,
      ["household", "resident", "seal", "block", "card"].filter((k) =>
        order.includes(k as never)
      ),
    );
  });
});

Deno.test("exportMedia() includes 個人番号 only when the municipality prints it; the header carries its name, mayor and form profile", async () => {
  await withRegistry(async (database, dir) => {
    const formProfile = {
      ...DEFAULT_FORM_PROFILE,
      juminhyoTitle: "住民票" as const,
      inkanPrintsSex: false,
    };
    await database.db.update(municipalities).set({
      printMyNumberAtKiosk: true,
      formProfile,
    })
      .where(eq(municipalities.code, CODE));
    const keys = await generateMediaKeys();
    const out = `${dir}/${CODE}.media`;
    await exportMedia(database.db, {
      municipalityCode: CODE,
      out,
      signer: keys.signer,
      recipientPublicKey: keys.aspPublicKey,
    });
    const v = await verifyMedia(out, keys);
    let withNumber = 0;
    for await (const b of readMedia(v)) {
      for (const r of b) {
        if (r.kind === "resident" && typeof r.data.myNumber === "string") {
          withNumber++;
        }
      }
    }
    assert.equal(withNumber, 120);
    const [m] = await database.db.select().from(municipalities)
      .where(eq(municipalities.code, CODE));
    assert.equal(v.header.policy?.printMyNumberAtKiosk, true);
    assert.deepEqual(v.header.policy?.formProfile, formProfile);
    assert.equal(v.header.policy?.name, m.name);
    assert.equal(v.header.policy?.mayor, m.mayor);
  });
});

function memoryLoader(current: number | null = null) {
  const loaded: MediaRecord[] = [];
  const loader: SnapshotLoader & { loaded: MediaRecord[]; seq: number | null } =
    {
      loaded,
      seq: current,
      async applySnapshot(_tenant, records, snapshotSeq) {
        const staged: MediaRecord[] = [];
        for await (const r of records) staged.push(r);
        loaded.push(...staged);
        loader.seq = snapshotSeq;
        return { count: staged.length };
      },
      currentSnapshotSeq: () => Promise.resolve(loader.seq),
    };
  return loader;
}

Deno.test("importMedia() loads, then destroys the file and audits the destruction", async () => {
  await withRegistry(async (database, dir) => {
    const keys = await generateMediaKeys();
    const out = `${dir}/${CODE}.media`;
    const summary = await exportMedia(database.db, {
      municipalityCode: CODE,
      out,
      signer: keys.signer,
      recipientPublicKey: keys.aspPublicKey,
    });
    const audits: MediaAuditRecord[] = [];
    const loader = memoryLoader(5);
    let overwritten: Uint8Array | undefined;
    const original = await Deno.readFile(out);
    const result = await importMedia(out, {
      ...keys,
      loader,
      audit: (r) => Promise.resolve(void audits.push(r)),
      destroy: {
        beforeUnlink: async (p) => void (overwritten = await Deno.readFile(p)),
      },
    });
    assert.equal(result.tenant, CODE);
    assert.equal(result.snapshotSeq, 17);
    assert.equal(loader.loaded.length, summary.totalRecords);
    assert.equal(overwritten?.length, original.length);
    assert.notDeepEqual(overwritten?.subarray(0, 64), original.subarray(0, 64));
    await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound);
    assert.deepEqual(audits.map((a) => a.action), [
      "media.import.loaded",
      "media.destroyed",
    ]);
    assert.equal(audits[1].details.bytes, original.length);
    assert.equal(audits[1].details.manifestSha256, summary.manifestSha256);

    // The same snapshot again is a replay: refused before loading, file kept, refusal audited.
    await Deno.writeFile(out, original);
    const again = memoryLoader(17);
    await assert.rejects(
      () =>
        importMedia(out, {
          ...keys,
          loader: again,
          audit: (r) => Promise.resolve(void audits.push(r)),
        }),
      (e: unknown) => e instanceof MediaError && e.code === "MEDIA_REPLAYED",
    );
    assert.equal(again.loaded.length, 0);
    assert.ok((await Deno.stat(out)).isFile);
    assert.equal(audits.at(-1)?.action, "media.import.refused");
    assert.equal(audits.at(-1)?.details.code, "MEDIA_REPLAYED");
  });
});

Deno.test("exportMedia() splits tables across connections sharing one snapshot, with the same records", async () => {
  await withRegistry(async (database, dir) => {
    const keys = await generateMediaKeys();
    const read = async (parallel: number) => {
      const out = `${dir}/${CODE}-${parallel}.media`;
      const summary = await exportMedia(database.db, {
        municipalityCode: CODE,
        out,
        signer: keys.signer,
        recipientPublicKey: keys.aspPublicKey,
        parallel,
        splitMinBlocks: 1,
        chunkRecords: 30,
      });
      const got: MediaRecord[] = [];
      for await (const b of readMedia(await verifyMedia(out, keys))) {
        got.push(...b);
      }
      assert.equal(got.length, summary.totalRecords);
      return got;
    };
    const one = await read(1);
    const three = await read(3);
    for (
      const kind of ["household", "resident", "seal", "block", "card"] as const
    ) {
      assert.deepEqual(ofKind(three, kind), ofKind(one, kind), kind);
    }
    // Kinds still come in load order.
    assert.deepEqual(
      [...new Set(three.map((r) => r.kind))],
      [...new Set(one.map((r) => r.kind))],
    );
    await assert.rejects(
      () =>
        exportMedia(database.db, {
          municipalityCode: CODE,
          out: `${dir}/x.media`,
          signer: keys.signer,
          recipientPublicKey: keys.aspPublicKey,
          parallel: 0,
        }),
      RangeError,
    );
  });
});
