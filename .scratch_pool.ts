import { createDecodePool } from "./services/portal/decode_pool.ts";
import { makeDemoCenter, verdictScans } from "./tests/fixtures/verdict_scans.ts";
import { decodeScan } from "./lib/backside/decode_scan.ts";
const center = await makeDemoCenter();
const scans = await verdictScans(center);
let t = performance.now();
const pool = await createDecodePool({ keyList: center.keyList, decryptionKeys: [center.contentKey], workers: 2, frontWidthPx: 760 });
console.log("started", performance.now() - t);
for (const s of scans) {
  t = performance.now();
  const out = await pool.decode(s.png.slice(), { channel: "api" });
  const ref = await decodeScan(s.png.slice(), { keyList: center.keyList, decryptionKeys: [center.contentKey] });
  console.log(s.verdict, out.ok && out.scan.verdict, out.ok && out.scan.reason.code, ref.verdict, (performance.now() - t).toFixed(0), out.ok && out.scan.frontImagePng?.length, !out.ok && out);
}
console.log(pool.stats());
await pool.close();
