import assert from "node:assert/strict";
import { generateMediaKeys } from "./keys.ts";
import { createMediaWriter, type MediaWriterOptions } from "./writer.ts";
import { readMedia, verifyMedia, type VerifyMediaOptions } from "./reader.ts";
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

async function writeFile(
  path: string,
  records: MediaRecord[],
  over: Partial<MediaWriterOptions> = {},
): Promise<void> {
  const [k] = await keys();
  const w = await createMediaWriter(path, {
    municipalityCode: "401005",
    snapshotSeq: 42,
    counts: countsOf(records),
    signer: k.signer,
    recipientPublicKey: k.aspPublicKey,
    chunkRecords: 7,
    ...over,
  });
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

/** Verifies and reads; returns what was handed out before any refusal. */
async function tryImport(
  path: string,
  opts: VerifyMediaOptions,
): Promise<{ out: MediaRecord[]; error?: unknown }> {
  const out: MediaRecord[] = [];
  try {
    const v = await verifyMedia(path, opts);
    for await (const batch of readMedia(v)) out.push(...batch);
    return { out };
  } catch (error) {
    return { out, error };
  }
}

function assertRefused(
  result: { out: MediaRecord[]; error?: unknown },
  code: MediaErrorCode,
): void {
  assert.ok(
    result.error instanceof MediaError,
    `expected a MediaError, got ${result.error}`,
  );
  assert.equal(
    (result.error as MediaError).code,
    code,
    (result.error as Error).message,
  );
  assert.equal(result.out.length, 0, "nothing may be handed out");
}

async function withFile(
  fn: (path: string, original: Uint8Array) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "media_test_" });
  try {
    const path = `${dir}/401005.media`;
    await writeFile(path, makeRecords(20));
    await fn(path, await Deno.readFile(path));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readMedia() returns every record after verifyMedia() checked the file", async () => {
  const records = makeRecords(20);
  const dir = await Deno.makeTempDir({ prefix: "media_test_" });
  try {
    const path = `${dir}/f.media`;
    await writeFile(path, records);
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
    const raw = new TextDecoder().decode(await Deno.readFile(path));
    assert.ok(!raw.includes("福岡県北九州市小倉北区") && !raw.includes('"householdId"'));
    await assert.rejects(async () => {
      // deno-lint-ignore no-explicit-any
      for await (const _ of readMedia({ ...v } as any)) { /* never */ }
    }, TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyMedia() refuses a byte flipped in a chunk (MEDIA_CHUNK_CORRUPT)", async () => {
  await withFile(async (path, original) => {
    const v = await verifyMedia(path, await readerKeys());
    const c = v.manifest.chunks[4];
    const bytes = original.slice();
    bytes[c.offset + 30] ^= 0x01;
    await Deno.writeFile(path, bytes);
    assertRefused(
      await tryImport(path, await readerKeys()),
      "MEDIA_CHUNK_CORRUPT",
    );
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
    assertRefused(
      await tryImport(path, await readerKeys()),
      "MEDIA_SIGNATURE_INVALID",
    );
    // The snapshot seq in the header (42 → 99): a replay disguised as new.
    const b2 = original.slice();
    const h = new TextDecoder().decode(original.subarray(0, 2000)).indexOf(
      '"snapshotSeq":42',
    ) + 14;
    b2[h] = "9".charCodeAt(0);
    b2[h + 1] = "9".charCodeAt(0);
    await Deno.writeFile(path, b2);
    assertRefused(
      await tryImport(path, await readerKeys()),
      "MEDIA_SIGNATURE_INVALID",
    );
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
      assertRefused(
        await tryImport(path, await readerKeys()),
        "MEDIA_TRUNCATED",
      );
    }
  });
});

Deno.test("verifyMedia() refuses a file for another ASP (MEDIA_WRONG_RECIPIENT)", async () => {
  await withFile(async (path) => {
    const [, other] = await keys();
    const opts = {
      ...(await readerKeys()),
      aspPrivateKey: other.aspPrivateKey,
    };
    assertRefused(await tryImport(path, opts), "MEDIA_WRONG_RECIPIENT");
    assertRefused(
      await tryImport(path, { ...opts, aspPublicKey: other.aspPublicKey }),
      "MEDIA_WRONG_RECIPIENT",
    );
  });
});

Deno.test("verifyMedia() refuses a file not signed by the registry's key (MEDIA_SIGNATURE_INVALID)", async () => {
  await withFile(async (path) => {
    const [, other] = await keys();
    const opts = {
      ...(await readerKeys()),
      registryPublicKey: other.registryPublicKey,
    };
    assertRefused(await tryImport(path, opts), "MEDIA_SIGNATURE_INVALID");
  });
});

Deno.test("verifyMedia() refuses counts that differ from the header (MEDIA_COUNT_MISMATCH)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "media_test_" });
  try {
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
    assertRefused(
      await tryImport(path, await readerKeys()),
      "MEDIA_COUNT_MISMATCH",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyMedia() refuses an unknown format version and a file that is not media", async () => {
  await withFile(async (path, original) => {
    const bytes = original.slice();
    bytes[9] = 2;
    await Deno.writeFile(path, bytes);
    assertRefused(
      await tryImport(path, await readerKeys()),
      "MEDIA_VERSION_UNSUPPORTED",
    );
    await Deno.writeTextFile(path, "hello, this is not a media file at all");
    assertRefused(
      await tryImport(path, await readerKeys()),
      "MEDIA_FORMAT_INVALID",
    );
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
