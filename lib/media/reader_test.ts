import assert from "node:assert/strict";
import { generateMediaKeys } from "./keys.ts";
import {
  createMediaWriter,
  type MediaWriter,
  type MediaWriterOptions,
} from "./writer.ts";
import {
  openMedia,
  readMedia,
  readVerifiedChunks,
  verifyMedia,
  type VerifyMediaOptions,
} from "./reader.ts";
import {
  type MediaCounts,
  MediaError,
  type MediaErrorCode,
  type MediaRecord,
} from "./format.ts";

type Keys = Awaited<ReturnType<typeof generateMediaKeys>>;
let keysPromise: Promise<[Keys, Keys]> | undefined;
const keys = () => (keysPromise ??= Promise.all([
  generateMediaKeys(),
  generateMediaKeys(),
]));

function makeRecords(n: number): MediaRecord[] {
  const out: MediaRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      kind: "household",
      data: {
        id: `H${i}`,
        address: `福岡県北九州市小倉北区城内${i}番`,
        katagaki: null,
      },
    });
  }
  for (let i = 0; i < n * 2; i++) {
    out.push({
      kind: "resident",
      data: {
        id: `R${i}`,
        name: i % 7 ? "山田　太郎" : "髙橋\u{E000}　葛\u{E0100}子",
        householdId: `H${i >> 1}`,
      },
    });
  }
  out.push({
    kind: "seal",
    data: { id: "S1", residentId: "R1", impressionPng: "iVBORw0KGgo=" },
  });
  return out;
}

function countsOf(records: MediaRecord[]): MediaCounts {
  const c: MediaCounts = {
    household: 0,
    resident: 0,
    seal: 0,
    block: 0,
    card: 0,
  };
  for (const r of records) c[r.kind]++;
  return c;
}

/** A writer for `records` (municipality 401005, snapshot 42, 7 records a chunk unless `over` says otherwise). */
async function openWriter(
  path: string,
  records: MediaRecord[],
  over: Partial<MediaWriterOptions> = {},
): Promise<MediaWriter> {
  const [k] = await keys();
  return await createMediaWriter(path, {
    municipalityCode: "401005",
    snapshotSeq: 42,
    counts: countsOf(records),
    signer: k.signer,
    recipientPublicKey: k.aspPublicKey,
    chunkRecords: 7,
    ...over,
  });
}

async function writeFile(
  path: string,
  records: MediaRecord[],
  over: Partial<MediaWriterOptions> = {},
): Promise<void> {
  const w = await openWriter(path, records, over);
  for (const r of records) await w.write(r.kind, r.data);
  await w.finish();
}

async function readerKeys(): Promise<VerifyMediaOptions> {
  const [k] = await keys();
  return {
    aspPrivateKey: k.aspPrivateKey,
    registryPublicKey: k.registryPublicKey,
  };
}

/** The reader's keys with the `names` taken from the other key set. */
async function keysWithOther(
  ...names: ("aspPrivateKey" | "aspPublicKey" | "registryPublicKey")[]
): Promise<VerifyMediaOptions> {
  const [, other] = await keys();
  const opts: VerifyMediaOptions = await readerKeys();
  for (const name of names) opts[name] = other[name];
  return opts;
}

interface Attempt {
  /** Records handed out by verifyMedia() + readMedia(). */
  out: MediaRecord[];
  error?: unknown;
  /** The one-pass form: openMedia() + readVerifiedChunks(). */
  onePass: { chunks: number; completed: boolean; error?: unknown };
}

/** Verifies and reads both ways; returns what was handed out before any refusal. */
async function tryImport(
  path: string,
  opts: VerifyMediaOptions,
): Promise<Attempt> {
  const onePass: Attempt["onePass"] = { chunks: 0, completed: false };
  try {
    for await (const _ of readVerifiedChunks(await openMedia(path, opts))) {
      onePass.chunks++;
    }
    onePass.completed = true;
  } catch (error) {
    onePass.error = error;
  }
  const out: MediaRecord[] = [];
  try {
    const v = await verifyMedia(path, opts);
    for await (const batch of readMedia(v)) out.push(...batch);
    return { out, onePass };
  } catch (error) {
    return { out, error, onePass };
  }
}

function assertRefused(result: Attempt, code: MediaErrorCode): void {
  for (const error of [result.error, result.onePass.error]) {
    assert.ok(
      error instanceof MediaError,
      `expected a MediaError, got ${error}`,
    );
    assert.equal((error as MediaError).code, code, (error as Error).message);
  }
  assert.equal(result.out.length, 0, "nothing may be handed out");
  assert.ok(!result.onePass.completed, "the one-pass read must not complete");
}

/** Imports `path` both ways and asserts the refusal with `code`. */
async function assertImportRefused(
  path: string,
  code: MediaErrorCode,
  opts?: VerifyMediaOptions,
): Promise<Attempt> {
  const result = await tryImport(path, opts ?? await readerKeys());
  assertRefused(result, code);
  return result;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "media_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function withFile(
  fn: (path: string, original: Uint8Array) => Promise<void>,
): Promise<void> {
  return withDir(async (dir) => {
    const path = `${dir}/401005.media`;
    await writeFile(path, makeRecords(20));
    await fn(path, await Deno.readFile(path));
  });
}

Deno.test("readMedia() returns every record after verifyMedia() checked the file", async () => {
  const records = makeRecords(20);
  await withFile(async (path, original) => {
    const v = await verifyMedia(path, await readerKeys());
    assert.equal(v.snapshotSeq, 42);
    assert.equal(v.municipalityCode, "401005");
    assert.deepEqual(v.header.counts, countsOf(records));
    assert.equal(v.manifest.chunkCount, 3 + 6 + 1);
    const got: MediaRecord[] = [];
    for await (const batch of readMedia(v)) {
      assert.ok(batch.every((r) => r.kind === batch[0].kind));
      got.push(...batch);
    }
    assert.deepEqual(got, records);
    // No plaintext on disk.
    const raw = new TextDecoder().decode(original);
    assert.ok(
      !raw.includes("福岡県北九州市小倉北区") && !raw.includes('"householdId"'),
    );
    await assert.rejects(async () => {
      // deno-lint-ignore no-explicit-any
      for await (const _ of readMedia({ ...v } as any)) { /* never */ }
    }, TypeError);
  });
});

Deno.test("verifyMedia() refuses a byte flipped in a chunk (MEDIA_CHUNK_CORRUPT)", async () => {
  await withFile(async (path, original) => {
    const v = await verifyMedia(path, await readerKeys());
    const c = v.manifest.chunks[4];
    const bytes = original.slice();
    bytes[c.offset + 30] ^= 0x01;
    await Deno.writeFile(path, bytes);
    await assertImportRefused(path, "MEDIA_CHUNK_CORRUPT");
  });
});

Deno.test("verifyMedia() refuses a byte flipped in the manifest or header (MEDIA_SIGNATURE_INVALID)", async () => {
  await withFile(async (path, original) => {
    const v = await verifyMedia(path, await readerKeys());
    const bytes = original.slice();
    // A digit in the manifest's record count of chunk 0.
    const at = v.manifest.manifestOffset + 4 +
      new TextDecoder().decode(original.subarray(v.manifest.manifestOffset + 4))
        .indexOf('"records":7') +
      10;
    bytes[at] = "8".charCodeAt(0);
    await Deno.writeFile(path, bytes);
    await assertImportRefused(path, "MEDIA_SIGNATURE_INVALID");
    // The snapshot seq in the header (42 → 99): a replay disguised as new.
    const b2 = original.slice();
    const h = new TextDecoder().decode(original.subarray(0, 2000)).indexOf(
      '"snapshotSeq":42',
    ) + 14;
    b2[h] = "9".charCodeAt(0);
    b2[h + 1] = "9".charCodeAt(0);
    await Deno.writeFile(path, b2);
    await assertImportRefused(path, "MEDIA_SIGNATURE_INVALID");
  });
});

Deno.test("verifyMedia() refuses a truncated file (MEDIA_TRUNCATED)", async () => {
  await withFile(async (path, original) => {
    for (
      const cut of [
        1,
        100,
        Math.floor(original.length / 2),
        original.length - 10,
      ]
    ) {
      await Deno.writeFile(path, original.subarray(0, cut));
      await assertImportRefused(path, "MEDIA_TRUNCATED");
    }
  });
});

Deno.test("verifyMedia() refuses a file for another ASP (MEDIA_WRONG_RECIPIENT)", async () => {
  await withFile(async (path) => {
    await assertImportRefused(
      path,
      "MEDIA_WRONG_RECIPIENT",
      await keysWithOther("aspPrivateKey"),
    );
    await assertImportRefused(
      path,
      "MEDIA_WRONG_RECIPIENT",
      await keysWithOther("aspPrivateKey", "aspPublicKey"),
    );
  });
});

Deno.test("verifyMedia() refuses a file not signed by the registry's key (MEDIA_SIGNATURE_INVALID)", async () => {
  await withFile(async (path) => {
    await assertImportRefused(
      path,
      "MEDIA_SIGNATURE_INVALID",
      await keysWithOther("registryPublicKey"),
    );
  });
});

Deno.test("verifyMedia() refuses counts that differ from the header (MEDIA_COUNT_MISMATCH)", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/f.media`;
    const records = makeRecords(5);
    const counts = { ...countsOf(records), resident: 11 };
    // The writer refuses to sign a file whose counts differ from its header…
    await assert.rejects(
      () => writeFile(path, records, { counts }),
      (e: unknown) => {
        return e instanceof MediaError && e.code === "MEDIA_COUNT_MISMATCH";
      },
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    // …and the reader refuses one written anyway by a defective writer.
    await writeFile(path, records, { counts, checkCounts: false });
    await assertImportRefused(path, "MEDIA_COUNT_MISMATCH");
  });
});

Deno.test("verifyMedia() refuses an unknown format version and a file that is not media", async () => {
  await withFile(async (path, original) => {
    const bytes = original.slice();
    bytes[9] = 2;
    await Deno.writeFile(path, bytes);
    await assertImportRefused(path, "MEDIA_VERSION_UNSUPPORTED");
    await Deno.writeTextFile(path, "hello, this is not a media file at all");
    await assertImportRefused(path, "MEDIA_FORMAT_INVALID");
  });
});

Deno.test("readMedia() stops when the file changed after verification", async () => {
  await withFile(async (path, original) => {
    const v = await verifyMedia(path, await readerKeys());
    const bytes = original.slice();
    bytes[v.manifest.chunks[5].offset + 20] ^= 0xff;
    await Deno.writeFile(path, bytes);
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const b of readMedia(v)) seen.push(b.length);
      },
      (e: unknown) =>
        e instanceof MediaError && e.code === "MEDIA_CHANGED_SINCE_VERIFIED",
    );
    assert.equal(seen.length, 5);
  });
});

Deno.test("readVerifiedChunks() hands out each chunk after its checks and completes only after the counts", async () => {
  const records = makeRecords(20);
  await withFile(async (path, original) => {
    const media = await openMedia(path, await readerKeys());
    assert.equal(media.snapshotSeq, 42);
    const got: MediaRecord[] = [];
    let verified = 0;
    let handed = 0;
    for await (
      const c of readVerifiedChunks(media, {
        readAhead: 2,
        onVerified: () => verified = handed,
      })
    ) {
      handed++;
      const lines = new TextDecoder().decode(c.ndjson).split("\n");
      assert.equal(lines.pop(), "");
      assert.equal(lines.length, c.records);
      got.push(...lines.map((l) => ({ kind: c.kind, data: JSON.parse(l) })));
    }
    assert.deepEqual(got, records);
    assert.equal(
      verified,
      media.manifest.chunkCount,
      "verified after the last chunk",
    );
    // Only openMedia() opens a file for it.
    const v = await verifyMedia(path, await readerKeys());
    await assert.rejects(async () => {
      for await (const _ of readVerifiedChunks(v)) { /* never */ }
    }, TypeError);

    // A corrupt chunk: the chunks before it, then the refusal.
    const bytes = original.slice();
    bytes[media.manifest.chunks[4].offset + 30] ^= 0x01;
    await Deno.writeFile(path, bytes);
    const r = await assertImportRefused(path, "MEDIA_CHUNK_CORRUPT");
    assert.equal(r.onePass.chunks, 4);

    // Counts that differ from the header: every chunk, then the refusal instead of completion.
    await writeFile(path, records, {
      counts: { ...countsOf(records), resident: 41 },
      checkCounts: false,
    });
    const c = await assertImportRefused(path, "MEDIA_COUNT_MISMATCH");
    assert.equal(c.onePass.chunks, 10);
  });
});

Deno.test("MediaWriter.lines(): NDJSON split anywhere, several streams at once; malformed lines refused", async () => {
  const records = makeRecords(30);
  await withDir(async (dir) => {
    const [k] = await keys();
    const path = `${dir}/f.media`;
    const w = await openWriter(path, records, {
      chunkRecords: 9,
      chunkBytes: 700,
    });
    // Each kind in two interleaved streams, cut at odd places (inside UTF-8 sequences too).
    for (const kind of ["household", "resident", "seal"] as const) {
      const of = records.filter((r) => r.kind === kind);
      const streams = [w.lines(kind), w.lines(kind)];
      const bytes = streams.map((_, i) =>
        new TextEncoder().encode(
          of.filter((_, j) => j % 2 === i).map((r) =>
            JSON.stringify(r.data) + "\n"
          ).join(""),
        )
      );
      const at = [0, 0];
      for (let step = 0; at.some((a, i) => a < bytes[i].length); step++) {
        const i = step % 2;
        const n = 1 + (step * 37) % 97;
        await streams[i].write(bytes[i].subarray(at[i], at[i] + n));
        at[i] += n;
      }
      for (const s of streams) await s.end();
    }
    await w.finish();
    const got: MediaRecord[] = [];
    for await (
      const b of readMedia(await verifyMedia(path, await readerKeys()))
    ) {
      got.push(...b);
    }
    const key = (r: MediaRecord) => `${r.kind}:${r.data.id}`;
    assert.deepEqual(got.map(key).sort(), records.map(key).sort());
    assert.deepEqual(
      got.find((r) => r.data.id === "R7"),
      records.find((r) => r.data.id === "R7"),
    );

    const bad = await createMediaWriter(`${dir}/bad.media`, {
      municipalityCode: "401005",
      snapshotSeq: 1,
      counts: { household: 1, resident: 0, seal: 0, block: 0, card: 0 },
      signer: k.signer,
      recipientPublicKey: k.aspPublicKey,
    });
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.throws(
      () => bad.lines("household").write(enc('{"a":1}\n\n')),
      TypeError,
    );
    assert.throws(() => bad.lines("household").write(enc('"a"\n')), TypeError);
    assert.throws(
      () => bad.lines("household").write(enc('{"a":1}\n[1]')),
      TypeError,
    );
    const open = bad.lines("household");
    open.write(enc('{"a":'));
    await assert.rejects(() => open.end(), TypeError);
    await bad.abort();
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "f.media",
    ]);
  });
});
