/**
 * 外字 end to end: the registry's glyph registration and its refusals, the
 * feed carrying the set to the ASP's replica, the ASP refusing a private-use
 * character without an outline (GAIJI_NOT_REGISTERED) and drawing a
 * registered one, and the kiosk's refusal text.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog, municipalities } from "../db/registry/schema.ts";
import { sheetFromJson } from "../lib/contracts/sheet_wire.ts";
import { ISSUANCE_REFUSALS } from "../lib/refusals/issuance.ts";
import { createRenderContext } from "../lib/render/context.ts";
import { parseGaijiSet } from "../lib/render/gaiji.ts";
import { layoutSheet } from "../lib/render/layout.ts";
import { layoutToSvg } from "../lib/render/svg.ts";
import type { KioskRefusal } from "../services/kiosk/kiosk.ts";
import { openTestRegistry, TOKENS } from "./support/registry_world.ts";
import {
  openTestAsp,
  registryFamily,
  requestOwnJuminhyo,
  testWorker,
} from "./support/asp_world.ts";
import { ONE_NODE, openIssuanceWorld } from "./support/issuance_world.ts";

const CODE = "401005";
const PUA = "\uE02A";
const OUTLINE =
  "M100 80H900V920H100ZM200 180V820H800V180ZM250 470H750V530H250Z";

Deno.test("registry: PUT /gaiji/{codePoint} registers an outline; hostile input is refused with its code and changes nothing", async () => {
  const reg = await openTestRegistry([CODE]);
  try {
    const put = (cp: string, body: unknown, token?: string) =>
      reg.call("PUT", `/municipalities/${CODE}/gaiji/${cp}`, { body, token });
    const ok = await put("E02A", { path: OUTLINE });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { version: 1 });

    const refusals: [string, unknown, number, string][] = [
      ["5C71", { path: OUTLINE }, 400, "GAIJI_NOT_PRIVATE_USE"], // 山
      ["D800", { path: OUTLINE }, 400, "GAIJI_NOT_PRIVATE_USE"],
      ["110000", { path: OUTLINE }, 400, "GAIJI_NOT_PRIVATE_USE"],
      ["E0%2F..", { path: OUTLINE }, 400, "GAIJI_NOT_PRIVATE_USE"],
      ["E02B", { path: "" }, 400, "GAIJI_PATH_INVALID"],
      [
        "E02B",
        { path: "M0 0 A10 10 0 0 1 100 100Z" },
        400,
        "GAIJI_PATH_INVALID",
      ],
      ["E02B", { path: "M0 0 L99999 0Z" }, 400, "GAIJI_PATH_INVALID"],
      [
        "E02B",
        { path: 'M0 0"/><script>alert(1)</script>' },
        400,
        "GAIJI_PATH_INVALID",
      ],
      [
        "E02B",
        { path: "M0 0" + " L1 1".repeat(600) },
        400,
        "GAIJI_PATH_INVALID",
      ],
      ["E02B", { path: "M0 0L" + "9".repeat(5000) }, 400, "GAIJI_PATH_INVALID"],
      ["E02B", { path: 12 }, 400, "VALIDATION_FAILED"],
      ["E02B", { path: OUTLINE, extra: 1 }, 400, "VALIDATION_FAILED"],
    ];
    for (const [cp, body, status, code] of refusals) {
      const res = await put(cp, body);
      const json = await res.json();
      assert.equal(
        res.status,
        status,
        `${cp} ${JSON.stringify(body).slice(0, 60)}`,
      );
      assert.equal(json.code, code);
      assert.ok(
        json.message_ja && json.message_en,
        "a message in both languages",
      );
    }
    // Only the municipality's writers: a reader is refused.
    assert.equal(
      (await put("E02B", { path: OUTLINE }, TOKENS.reader)).status,
      403,
    );
    const missing = await reg.call(
      "DELETE",
      `/municipalities/${CODE}/gaiji/E0FF`,
    );
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, "GAIJI_NOT_FOUND");

    const list = await reg.call("GET", `/municipalities/${CODE}/gaiji`, {
      token: TOKENS.reader,
    });
    assert.deepEqual(await list.json(), {
      version: 1,
      glyphs: [{ codePoint: 0xe02a, path: OUTLINE }],
    });
    const [m] = await reg.database.db.select().from(municipalities).where(
      eq(municipalities.code, CODE),
    );
    assert.equal(m.gaijiVersion, 1, "refusals changed nothing");
    const audits = await reg.database.db.select().from(auditLog).where(
      eq(auditLog.action, "gaiji.put"),
    );
    assert.equal(audits.length, 1);
  } finally {
    await reg.close();
  }
});

Deno.test("ASP: a name with an unregistered 外字 is refused GAIJI_NOT_REGISTERED; once registered (through the feed) it is drawn from its outline", async () => {
  const reg = await openTestRegistry([CODE]);
  const asp = await openTestAsp({ clock: reg.clock });
  try {
    const fam = await registryFamily(reg, CODE, {
      person: { name: `${PUA}田　花子` },
    });
    const id = fam.householder;
    const worker = testWorker(asp, reg);
    await worker.catchUp(CODE);

    const refused = await requestOwnJuminhyo(asp, CODE, id);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.code, "GAIJI_NOT_REGISTERED");
    assert.equal(refused.body.details.residentId, id);
    assert.deepEqual(refused.body.details.codePoints, ["U+E02A"]);
    assert.ok(!JSON.stringify(refused.body).includes("田　花子"));

    const put = await reg.call("PUT", `/municipalities/${CODE}/gaiji/U+E02A`, {
      body: { path: OUTLINE },
    });
    assert.equal(put.status, 200);
    await worker.catchUp(CODE);
    const t = await asp.tenancy.get(CODE);
    assert.equal(t.gaijiVersion, 1, "the feed carried the set");

    const built = await requestOwnJuminhyo(asp, CODE, id);
    assert.equal(built.status, 201, JSON.stringify(built.body));
    const sheet = sheetFromJson(built.body.sheets[0]);
    assert.equal(sheet.gaiji, `E02A ${OUTLINE}`);
    assert.deepEqual([...parseGaijiSet(sheet.gaiji).keys()], [PUA]);
    const ctx = createRenderContext();
    const layout = layoutSheet(sheet, { context: ctx });
    assert.deepEqual(layout.glyphIssues, []);
    assert.ok(
      layout.ops.some((op) => op.kind === "path" && op.role === "gaiji"),
    );
    assert.match(layoutToSvg(layout, ctx), /d="M[^"]+Z[^"]*"/);

    // Removed at the registry: refused again after the next feed answer.
    const del = await reg.call("DELETE", `/municipalities/${CODE}/gaiji/E02A`);
    assert.equal(del.status, 200);
    await worker.catchUp(CODE);
    assert.equal(
      (await requestOwnJuminhyo(asp, CODE, id)).body.code,
      "GAIJI_NOT_REGISTERED",
    );

    // Outlines more than the back side can carry: refused as content the
    // form cannot hold, not printed.
    let big = "M0 0";
    for (let i = 0; big.length < 3700; i++) {
      big += ` L${(i * 37) % 1000} ${(i * 91) % 1000}`;
    }
    big += "Z";
    for (const cp of ["E030", "E031", "E032"]) {
      const r = await reg.call("PUT", `/municipalities/${CODE}/gaiji/${cp}`, {
        body: { path: big },
      });
      assert.equal(r.status, 200);
    }
    const many = await registryFamily(reg, CODE, {
      person: { name: "\uE030\uE031\uE032　花子" },
    });
    await worker.catchUp(CODE);
    const tooMany = await requestOwnJuminhyo(asp, CODE, many.householder);
    assert.equal(tooMany.body.code, "FIELD_TOO_LONG");
    assert.deepEqual(tooMany.body.details.fields, ["gaiji"]);
  } finally {
    await asp.close();
    await reg.close();
  }
});

Deno.test("[e2e] a kiosk asked for a name with an unregistered 外字 shows the 外字 text, and prints once it is registered", async () => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  try {
    const id = await w.moveIn(CODE, { name: `${PUA}田　花子` });
    const card = await w.issueCard(CODE, id);
    await w.sync();
    const choice = { pin: "1234", type: "juminhyo" as const, card };
    const r = await w.kiosk().run(choice);
    assert.equal(r.ok, false, "no certificate with a box in the name");
    const f = r as KioskRefusal;
    assert.equal(f.code, "GAIJI_NOT_REGISTERED");
    assert.equal(
      f.message_ja,
      "氏名等に登録中の文字があるため、コンビニでは交付できません。市区町村の窓口をご利用ください。",
    );
    assert.equal(f.message_ja, ISSUANCE_REFUSALS.GAIJI_NOT_REGISTERED.ja);

    const put = await w.reg.call(
      "PUT",
      `/municipalities/${CODE}/gaiji/E02A`,
      { body: { path: OUTLINE } },
    );
    assert.equal(put.status, 200);
    await w.sync();
    const ok = await w.kiosk().run(choice);
    if (!ok.ok) assert.fail(`refused: ${ok.code} ${ok.message_en}`);
    // The released sheet (and so its back side) carries the outline.
    assert.equal(ok.sheets[0].gaiji, `E02A ${OUTLINE}`);

    // A new snapshot (media) replaces the tenant's tables: the 外字 stay.
    await w.moveIn(CODE);
    await w.sync();
    const again = await w.kiosk().run(choice);
    if (!again.ok) assert.fail(`refused: ${again.code} ${again.message_en}`);
  } finally {
    await w.close();
  }
});
