import assert from "node:assert/strict";
import { ContractError } from "../../lib/contracts/wire.ts";
import { createLedgerStatusClient } from "./ledger_client.ts";

const N = "401005-20261126-0000012";

function answering(status: number, body: unknown) {
  const seen: { url: string; auth: string | null }[] = [];
  const fetch = (url: string, init?: RequestInit) => {
    seen.push({ url, auth: new Headers(init?.headers).get("authorization") });
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json" },
      }),
    );
  };
  return { fetch, seen };
}

Deno.test("createLedgerStatusClient() asks the center and returns the status it parsed", async () => {
  const center = answering(200, {
    issueNumber: N,
    status: "voided",
    pages: [{ page: 1, status: "valid" }, { page: 2, status: "voided" }],
  });
  const lookup = createLedgerStatusClient({
    centerUrl: "https://jlis.test/",
    token: "portal-token",
    fetch: center.fetch,
  });
  assert.equal(await lookup(N), "voided");
  assert.deepEqual(center.seen, [{
    url: `https://jlis.test/ledger/${N}/status`,
    auth: "Bearer portal-token",
  }]);
});

Deno.test("createLedgerStatusClient() with a page: that sheet's status (a delivered sheet of a partly jammed issue is valid)", async () => {
  const center = answering(200, {
    issueNumber: N,
    status: "voided",
    pages: [{ page: 1, status: "valid" }, { page: 2, status: "voided" }],
  });
  const lookup = createLedgerStatusClient({
    centerUrl: "https://jlis.test",
    fetch: center.fetch,
  });
  assert.equal(await lookup(N, 1), "valid");
  assert.equal(await lookup(N, 2), "voided");
  // A page the ledger does not list: the certificate's status.
  assert.equal(await lookup(N, 7), "voided");
});

Deno.test("createLedgerStatusClient() refuses a malformed answer, a refusal and another issue's status", async () => {
  const cases: [string, number, unknown, RegExp | typeof ContractError][] = [
    [
      "unknown status",
      200,
      { issueNumber: N, status: "maybe", pages: [] },
      ContractError,
    ],
    ["no pages", 200, { issueNumber: N, status: "valid" }, /pages/],
    ["refusal", 403, { code: "SCOPE_MISSING" }, /answered 403/],
    ["other issue", 200, {
      issueNumber: "401005-20261126-0000013",
      status: "valid",
      pages: [],
    }, /answered for/],
  ];
  for (const [label, status, body, expected] of cases) {
    const lookup = createLedgerStatusClient({
      centerUrl: "https://jlis.test",
      token: "t",
      fetch: answering(status, body).fetch,
    });
    await assert.rejects(lookup(N), expected, label);
  }
});
