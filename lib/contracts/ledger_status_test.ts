import assert from "node:assert/strict";
import {
  issueStatusPath,
  issueStatusSchema,
  parseIssueStatus,
} from "./ledger_status.ts";
import { ContractError } from "./wire.ts";

Deno.test("parseIssueStatus() round-trips the center's status answer", () => {
  const status = {
    issueNumber: "401005-20261126-0000012",
    status: "voided" as const,
    pages: [{ page: 1, status: "valid" as const }, {
      page: 2,
      status: "voided" as const,
    }],
  };
  const wire = JSON.parse(JSON.stringify(issueStatusSchema.parse(status)));
  assert.deepEqual(parseIssueStatus(wire), status);
  assert.equal(
    issueStatusPath(status.issueNumber),
    "/ledger/401005-20261126-0000012/status",
  );
});

Deno.test("parseIssueStatus() refuses a status outside the ledger's set", () => {
  assert.throws(
    () =>
      parseIssueStatus({
        issueNumber: "401005-20261126-0000012",
        status: "maybe",
        pages: [],
      }),
    (e: unknown) =>
      e instanceof ContractError &&
      /^The ledger status is malformed: status: /.test(e.message),
  );
});
