import assert from "node:assert/strict";
import { foldIssuance } from "./issuances.ts";

const issued = {
  seq: 1,
  at: "2026-12-07T01:00:00.000Z",
  kind: "issued" as const,
  issueNumber: "N-2",
  data: {
    storeId: "store-1",
    kioskId: "kiosk-1",
    type: "juminhyo",
    pages: 2,
    fee: 200,
    copy: 2,
  },
};

Deno.test("foldIssuance: a copy the kiosk could not print is voided with its 処分情報 (print_failed, the failure code, the failed page)", () => {
  const row = foldIssuance("401005", [issued, {
    seq: 2,
    at: "2026-12-07T01:00:05.000Z",
    kind: "voided",
    issueNumber: "N-2",
    data: {
      kioskId: "kiosk-1",
      storeId: "store-1",
      copy: 2,
      delivered: [],
      pages: [1, 2],
      reason: "print_failed",
      printFailure: "RENDER_FAILED",
      failedPage: 2,
      refund: 200,
    },
  }]);
  assert.ok(row);
  assert.equal(row.status, "voided");
  assert.equal(row.fee, 0);
  assert.deepEqual(row.voidedPages, [1, 2]);
  assert.deepEqual(row.deliveredPages, []);
  assert.deepEqual(row.disposal, [{
    at: "2026-12-07T01:00:05.000Z",
    pages: [1, 2],
    reason: "print_failed",
    failedPage: 2,
    printFailure: "RENDER_FAILED",
    refund: 200,
  }]);
});

Deno.test("foldIssuance: a later copy voided by a print failure on an earlier one has no failedPage of its own", () => {
  const row = foldIssuance("401005", [issued, {
    seq: 2,
    at: "2026-12-07T01:00:05.000Z",
    kind: "voided",
    issueNumber: "N-2",
    data: {
      copy: 2,
      delivered: [],
      pages: [1, 2],
      reason: "print_failed",
      printFailure: "WRITE_FAILED",
      refund: 200,
    },
  }]);
  assert.ok(row);
  const [d] = row.disposal as { failedPage?: number; printFailure?: string }[];
  assert.equal(d.printFailure, "WRITE_FAILED");
  assert.equal(d.failedPage, undefined);
});
