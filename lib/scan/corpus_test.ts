import assert from "node:assert/strict";
import { decodeScan } from "../backside/decode_scan.ts";
import { DISTORTION_KINDS, distortionFor, generateCorpus } from "./corpus.ts";
import { seededRandom } from "./sample_sheets.ts";

Deno.test("distortionFor() draws the same parameters for the same seed", () => {
  for (const kind of DISTORTION_KINDS) {
    assert.deepEqual(
      distortionFor(kind, seededRandom(3)),
      distortionFor(kind, seededRandom(3)),
    );
  }
  const skew = distortionFor("skew", seededRandom(4)).skewDeg!;
  assert.ok(Math.abs(skew) >= 3 && Math.abs(skew) <= 10);
  const stain = distortionFor("stain", seededRandom(5)).stain!;
  const share = Math.PI * stain.rx * stain.ry / (210 * 297);
  assert.ok(share >= 0.06 && share <= 0.1, `stain covers ${share}`);
});

Deno.test("generateCorpus() yields decodable scans with their expected issue numbers", async () => {
  const corpus = await generateCorpus({
    count: 2,
    seed: 9,
    kinds: ["dpi-150", "pdf"],
  });
  const items = [];
  for await (const item of corpus.items) items.push(item);
  assert.deepEqual(items.map((i) => i.kind), ["dpi-150", "pdf"]);
  assert.deepEqual(items.map((i) => i.name.slice(-4)), [".jpg", ".pdf"]);
  assert.deepEqual(items.map((i) => i.certificateType), ["juminhyo", "inkan"]);
  for (const item of items) {
    const r = await decodeScan(item.bytes, corpus);
    assert.equal(r.verdict, "genuine", `${item.name}: ${r.reason.en}`);
    assert.equal(r.certificate!.issueNumber, item.expectedIssueNumber);
  }
});
