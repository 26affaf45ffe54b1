import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { auditLog } from "../db/asp/schema.ts";
import { seedRegistry } from "../services/registry/seed/mod.ts";
import { makePerson, openTestRegistry } from "./support/registry_world.ts";
import { recordsChecksum, replicaChecksum } from "../services/asp/checksum.ts";
import { AspError } from "../services/asp/errors.ts";
import {
  applySnapshot,
  applySnapshotChunks,
  type SnapshotChunk,
} from "../services/asp/snapshot.ts";
import {
  SNAPSHOT_KINDS,
  SNAPSHOT_TABLES,
} from "../services/asp/snapshot_rows.ts";
import type { SnapshotRecord } from "../services/asp/replica.ts";
import { rowsOf } from "../services/asp/tenancy.ts";
import {
  openTestAsp,
  registryEvent,
  registryRecords,
  testWorker,
} from "./support/asp_world.ts";

const CODE = "401005";
const policy = { code: CODE, printMyNumber: false };

Deno.test("applySnapshot(): COPY into staging, atomic switch, then the feed continues from the snapshot's sequence", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    await seedRegistry(reg.database, {
      municipalityCode: CODE,
      residents: 120,
      seed: 7,
    });
    const records = await registryRecords(reg.database.db, CODE);
    const progress: number[] = [];
    const result = await applySnapshot(asp.tenancy, CODE, records, 0, {
      actor: "media-import",
      onProgress: (n) => progress.push(n),
      progressEvery: 50,
      batchSize: 40,
      copyBytes: 4096,
    });
    assert.equal(
      result.counts.resident,
      records.filter((r) => r.kind === "resident").length,
    );
    assert.ok(result.counts.seal > 0 && result.counts.household > 0);
    assert.equal(progress.at(-1), records.length);
    assert.deepEqual(
      await replicaChecksum(asp.tenancy, CODE),
      await recordsChecksum(records, policy),
    );
    const t = await asp.tenancy.get(CODE);
    assert.equal(t.snapshotSeq, 0);
    assert.equal(t.schemaName, "t_401005");

    // Personal fields are not readable at rest: no name appears in the stored bytes.
    const someone = records.find((r) => r.kind === "resident")!.data;
    const raw = rowsOf<{ data: Uint8Array }>(
      await asp.tenancy.db.execute(sql`select data from t_401005.residents`),
    );
    const needle = new TextEncoder().encode(String(someone.name).slice(0, 2));
    for (const r of raw) {
      const bytes = new Uint8Array(r.data);
      assert.ok(
        !bytes.some((_, i) => needle.every((b, j) => bytes[i + j] === b)),
      );
    }

    // Events after the snapshot flow in from its sequence.
    await registryEvent(reg, CODE, {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson(),
      previousAddress: "東京都千代田区千代田１番",
      address: "福岡県北九州市小倉北区城内２番",
    });
    assert.equal((await testWorker(asp, reg).catchUp(CODE)).applied, 1);
    const now = await registryRecords(reg.database.db, CODE);
    assert.deepEqual(
      await replicaChecksum(asp.tenancy, CODE),
      await recordsChecksum(now, policy),
    );

    const audits = await asp.tenancy.db.select().from(auditLog).where(
      eq(auditLog.action, "snapshot.switch"),
    );
    assert.equal(audits.length, 1);
    assert.equal(audits[0].tenantCode, CODE);
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("applySnapshot(): refuses a replayed or older snapshot and a bad record, leaving the tenant as it was", async () => {
  const reg = await openTestRegistry([CODE, "401307"]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    for (let i = 0; i < 3; i++) {
      await registryEvent(reg, CODE, {
        type: "tennyu",
        date: "2026-11-20",
        person: makePerson(),
        previousAddress: "東京都",
        address: `福岡県北九州市小倉北区城内${i + 1}番`,
      });
    }
    const records = await registryRecords(reg.database.db, CODE);
    await applySnapshot(asp.tenancy, CODE, records, 3, { actor: "t" });
    const before = await replicaChecksum(asp.tenancy, CODE);

    for (const seq of [3, 2]) {
      await assert.rejects(
        applySnapshot(asp.tenancy, CODE, records.slice(0, 1), seq, {
          actor: "t",
        }),
        (e) => e instanceof AspError && e.code === "SNAPSHOT_NOT_NEWER",
      );
    }
    await registryEvent(reg, "401307", {
      type: "tennyu",
      date: "2026-11-20",
      person: makePerson(),
      previousAddress: "東京都",
      address: "福岡県福岡市中央区天神１番",
    });
    const foreign = await registryRecords(reg.database.db, "401307");
    for (
      const bad of [[...records, ...foreign], [...records, records[0]], [
        ...records,
        { kind: "pet", data: {} },
      ]]
    ) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        applySnapshot(asp.tenancy, CODE, bad as any, 9, { actor: "t" }),
        (e) => e instanceof AspError && e.code === "SNAPSHOT_INVALID",
      );
    }
    assert.deepEqual(await replicaChecksum(asp.tenancy, CODE), before);
    assert.equal((await asp.tenancy.get(CODE)).snapshotSeq, 3);
    const staging = rowsOf(
      await asp.tenancy.db.execute(
        sql`select nspname from pg_namespace where nspname like 's\_%' or nspname like 'o\_%'`,
      ),
    );
    assert.equal(staging.length, 0, JSON.stringify(staging));
    // The other tenant was never touched.
    assert.equal(
      (await replicaChecksum(asp.tenancy, "401307")).kinds.resident.count,
      0,
    );
  } finally {
    await asp.close();
    await reg.close();
  }
});

/** Records as NDJSON chunks of one kind, `size` records each (the shape of verified media chunks). */
function toChunks(records: SnapshotRecord[], size: number): SnapshotChunk[] {
  const out: SnapshotChunk[] = [];
  for (const kind of SNAPSHOT_KINDS) {
    const of = records.filter((r) => r.kind === kind);
    for (let i = 0; i < of.length; i += size) {
      const part = of.slice(i, i + size);
      out.push({
        kind,
        records: part.length,
        ndjson: new TextEncoder().encode(
          part.map((r) => JSON.stringify(r.data) + "\n").join(""),
        ),
      });
    }
  }
  return out;
}

async function* source(
  chunks: SnapshotChunk[],
  failAt = -1,
): AsyncGenerator<SnapshotChunk> {
  for (const [i, c] of chunks.entries()) {
    if (i === failAt) throw new Error(`chunk ${i} failed verification`);
    yield { ...c, ndjson: c.ndjson.slice() };
  }
}

Deno.test("applySnapshotChunks(): workers and this thread load the same replica; a failing source, a duplicate or an unknown field leaves the tenant as it was", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    await seedRegistry(reg.database, {
      municipalityCode: CODE,
      residents: 150,
      seed: 11,
    });
    const records = await registryRecords(reg.database.db, CODE);
    const expected = await recordsChecksum(records, policy);
    const chunks = toChunks(records, 37);
    const progress: number[] = [];
    const r = await applySnapshotChunks(asp.tenancy, CODE, source(chunks), 5, {
      actor: "media-import",
      workers: 2,
      onProgress: (n) => progress.push(n),
      progressEvery: 100,
    });
    assert.equal(progress.at(-1), records.length);
    assert.equal(
      r.counts.resident,
      records.filter((x) => x.kind === "resident").length,
    );
    assert.deepEqual(await replicaChecksum(asp.tenancy, CODE), expected);
    await applySnapshotChunks(asp.tenancy, CODE, source(chunks), 6, {
      actor: "media-import",
      workers: 0,
    });
    assert.deepEqual(await replicaChecksum(asp.tenancy, CODE), expected);

    const refused = async (
      chunks: AsyncIterable<SnapshotChunk>,
      check: (e: unknown) => boolean,
      workers: number,
    ) => {
      await assert.rejects(
        applySnapshotChunks(asp.tenancy, CODE, chunks, 9, {
          actor: "t",
          workers,
        }),
        check,
      );
      assert.equal((await asp.tenancy.get(CODE)).snapshotSeq, 6);
      assert.deepEqual(await replicaChecksum(asp.tenancy, CODE), expected);
      const staging = rowsOf(
        await asp.tenancy.db.execute(
          sql`select nspname from pg_namespace where nspname like 's\_%' or nspname like 'o\_%'`,
        ),
      );
      assert.equal(staging.length, 0, JSON.stringify(staging));
    };
    for (const workers of [0, 2]) {
      // The source throws after staging began (a chunk failing verification).
      await refused(
        source(chunks, chunks.length - 2),
        (e) => /failed verification/.test(String(e)),
        workers,
      );
      // A resident twice, in different chunks: the unique key built after the load refuses it.
      const resident = records.find((x) => x.kind === "resident")!;
      await refused(
        source([...chunks, ...toChunks([resident], 1)]),
        (e) =>
          e instanceof AspError && e.code === "SNAPSHOT_INVALID" &&
          String((e.details as { reason?: string })?.reason).includes(
            String(resident.data.id),
          ),
        workers,
      );
      // A field the replica does not know, found by a worker.
      await refused(
        source([
          ...chunks,
          ...toChunks([{
            kind: "card",
            data: { ...records.find((x) => x.kind === "card")!.data, pin: 1 },
          }], 1),
        ]),
        (e) =>
          e instanceof AspError && e.code === "SNAPSHOT_INVALID" &&
          /unknown field 'pin'/.test(
            String((e.details as { reason?: string })?.reason),
          ),
        workers,
      );
    }
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("snapshot rows: the binary COPY types are those of the tenant schema", async () => {
  const asp = await openTestAsp();
  try {
    const cols = rowsOf<{ table_name: string; column_name: string; t: string }>(
      await asp.tenancy.db.execute(
        sql`select table_name, column_name, udt_name as t from information_schema.columns where table_schema = ${`t_${CODE}`}`,
      ),
    );
    const pg = {
      text: "text",
      date: "date",
      int8: "int8",
      bool: "bool",
      bytea: "bytea",
    };
    for (const kind of SNAPSHOT_KINDS) {
      const t = SNAPSHOT_TABLES[kind];
      const actual = t.columns.map((c) =>
        cols.find((x) => x.table_name === t.table && x.column_name === c)?.t
      );
      assert.deepEqual(actual, t.types.map((x) => pg[x]), t.table);
    }
  } finally {
    await asp.close();
  }
});
