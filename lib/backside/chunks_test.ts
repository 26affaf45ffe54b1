import assert from "node:assert/strict";
import {
  CHUNK_HEADER_BYTES,
  parseChunk,
  reassembleChunks,
  splitIntoChunks,
} from "./chunks.ts";

const envelope = Uint8Array.from(
  { length: 1000 },
  (_, i) => (i * 31 + 7) & 0xff,
);

Deno.test("splitIntoChunks() fills n symbols with k data + parity chunks", () => {
  const payloads = splitIntoChunks(envelope, { n: 12, maxPayload: 300 });
  assert.equal(payloads.length, 12);
  const chunks = payloads.map(parseChunk);
  assert.ok(chunks.every((c) => c && c.k === 4 && c.n === 12));
  assert.ok(
    payloads.every((p) => p.length <= 300 && p.length > CHUNK_HEADER_BYTES),
  );
});

Deno.test("reassembleChunks() rebuilds from any k chunks in any order", () => {
  const chunks = (splitIntoChunks(envelope, { n: 12, maxPayload: 300 }))
    .map((p) => parseChunk(p)!);
  const r = reassembleChunks([
    chunks[11],
    chunks[3],
    chunks[7],
    chunks[5],
  ]);
  assert.equal(r.ok, true);
  if (r.ok) assert.deepEqual(r.envelope, envelope);
  const few = reassembleChunks(chunks.slice(0, 3));
  assert.equal(few.ok, false);
  if (!few.ok) assert.equal(few.problem, "insufficient");
});

Deno.test("reassembleChunks() reports chunks of two documents as mixed", () => {
  const other = envelope.slice();
  other[0] ^= 1;
  const a = (splitIntoChunks(envelope, { n: 6, maxPayload: 600 })).map((
    p,
  ) => parseChunk(p)!);
  const b = (splitIntoChunks(other, { n: 6, maxPayload: 600 })).map((p) =>
    parseChunk(p)!
  );
  const r = reassembleChunks([...a.slice(0, 3), ...b.slice(3)]);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.problem, "mixed");
});

Deno.test("reassembleChunks() catches an altered data or parity chunk", () => {
  for (const victim of [0, 5]) {
    const payloads = splitIntoChunks(envelope, { n: 6, maxPayload: 600 });
    payloads[victim][CHUNK_HEADER_BYTES + 10] ^= 0x40;
    const r = reassembleChunks(payloads.map((p) => parseChunk(p)!));
    assert.equal(r.ok, false, `victim ${victim}`);
    if (!r.ok) assert.equal(r.problem, "inconsistent");
  }
  // Even with only k chunks read, the altered one breaks the document id.
  const payloads = splitIntoChunks(envelope, { n: 6, maxPayload: 600 });
  payloads[1][CHUNK_HEADER_BYTES + 3] ^= 1;
  const r = reassembleChunks([
    parseChunk(payloads[0])!,
    parseChunk(payloads[1])!,
  ]);
  assert.equal(r.ok, false);
});

Deno.test("parseChunk() ignores other 2D-code payloads", () => {
  assert.equal(
    parseChunk(new TextEncoder().encode("https://example.jp/")),
    null,
  );
  assert.equal(parseChunk(new Uint8Array(5)), null);
});
