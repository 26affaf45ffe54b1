import assert from "node:assert/strict";
import { destroyFile } from "./destroy.ts";

Deno.test("destroyFile() overwrites every byte with random data, then removes the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "destroy_test_" });
  try {
    const path = `${dir}/401005.media`;
    const original = new Uint8Array(1024 * 1024 + 12345).fill(0x41);
    await Deno.writeFile(path, original);
    let seen: Uint8Array | undefined;
    const record = await destroyFile(path, {
      beforeUnlink: async (p) => {
        seen = await Deno.readFile(p);
      },
    });
    assert.ok(seen);
    assert.equal(seen.length, original.length);
    // Random data: almost no byte survives at its place, and the bytes are spread out.
    let same = 0;
    const histogram = new Uint32Array(256);
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] === original[i]) same++;
      histogram[seen[i]]++;
    }
    assert.ok(same < seen.length / 128, `${same} bytes unchanged`);
    assert.ok(Math.max(...histogram) < (seen.length / 256) * 1.2);
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
    assert.equal(record.bytes, original.length);
    assert.equal(record.unlinked, true);
    assert.equal(record.synced, true);
    assert.equal(record.method, "overwrite-random+fsync+unlink");
    assert.match(record.overwriteSample, /^[0-9a-f]{64}$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("destroyFile() refuses a directory and a missing file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "destroy_test_" });
  try {
    await assert.rejects(() => destroyFile(dir), TypeError);
    await assert.rejects(
      () => destroyFile(`${dir}/nope`),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
