import assert from "node:assert/strict";
import { NEUTRAL_CODE } from "../../../lib/refusals/issuance.ts";
import { createLogger } from "../../../lib/service/logger.ts";
import { aspRefusal } from "./asp_refusal.ts";
import { forKiosk, JlisError, jlisStatusOf } from "../errors.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: "jlis",
    write: (l) => lines.push(JSON.parse(l)),
  });
  return { log, lines };
}

Deno.test("aspRefusal() forwards a refusal the center answers as itself, with the applicant's details only", () => {
  const { log, lines } = capture();
  const err = aspRefusal(409, {
    code: "MOVE_OUT_FILED",
    details: { residentId: "401005-R2", scope: "household" },
  }, log);
  assert.ok(err instanceof JlisError);
  assert.equal(err.code, "MOVE_OUT_FILED");
  assert.deepEqual(err.details, { scope: "household" });
  assert.equal(jlisStatusOf(err.code), 409);
  assert.equal(lines.length, 0);
});

Deno.test("aspRefusal() forwards a protected reason as itself; forKiosk() turns it into the neutral code", () => {
  const { log } = capture();
  for (const code of ["SUPPORT_MEASURE", "OPT_OUT", "BLOCKED"]) {
    const err = aspRefusal(409, {
      code,
      details: { residentId: "401005-R2", scope: "household" },
    }, log);
    assert.equal(err.code, code, "the center records the specific code");
    const shown = forKiosk(err);
    assert.equal(shown.code, NEUTRAL_CODE);
    const body = JSON.stringify(shown.toBody());
    assert.doesNotMatch(
      body,
      /支援措置|support measure|抑止|opt.?out|BLOCKED/i,
    );
    assert.equal(shown.details, undefined, "no details at all");
  }
  const plain = new JlisError("UNDER_15");
  assert.equal(forKiosk(plain), plain);
});

Deno.test("aspRefusal(): the ASP's own codes and unknown codes are ASP_UNAVAILABLE and a log line naming the code", () => {
  for (
    const [status, code] of [
      [409, "REQUEST_ID_REUSED"],
      [400, "VALIDATION_FAILED"],
      [409, "SOMETHING_NEW_AT_THE_ASP"],
    ] as const
  ) {
    const { log, lines } = capture();
    const err = aspRefusal(status, { code }, log);
    assert.equal(err.code, "ASP_UNAVAILABLE");
    assert.equal(jlisStatusOf(err.code), 502);
    assert.equal(lines.length, 1, code);
    assert.equal(lines[0].level, "error");
    assert.match(String(lines[0].msg), new RegExp(code));
    assert.equal(lines[0].code, code);
  }
  const { log, lines } = capture();
  assert.equal(aspRefusal(500, {}, log).code, "ASP_UNAVAILABLE");
  assert.equal(lines.length, 1);
});

Deno.test("jlisStatusOf(): the center's codes from the catalogue, nothing else", () => {
  assert.equal(jlisStatusOf("CARD_SUSPENDED"), 403);
  assert.equal(jlisStatusOf("RESIDENT_NOT_FOUND"), 404);
  assert.equal(jlisStatusOf(NEUTRAL_CODE), 409);
  assert.equal(jlisStatusOf("SNAPSHOT_INVALID"), undefined, "the ASP's own");
  assert.equal(jlisStatusOf("NO_SUCH_CODE"), undefined);
});
