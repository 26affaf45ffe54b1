/**
 * Logs that tell the story: one kiosk run is found in the kiosk's, the
 * center's and the ASP node's log lines and in the center's message log by
 * one correlation id; a refusal's code is on the center's request line and
 * the kiosk's line; idle feed polls are debug; no line holds the resident's
 * personal data.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { messageLog } from "../db/jlis/schema.ts";
import { createLogger, type Logger } from "../lib/service/logger.ts";
import type { KioskReceipt, KioskRefusal } from "../services/kiosk/kiosk.ts";
import { ONE_NODE, openIssuanceWorld } from "./support/issuance_world.ts";

const CODE = "401005";

type Line = Record<string, unknown>;

/** A logger at debug whose lines land in `lines`, parsed. */
function capture(service: string, lines: Line[]): Logger {
  return createLogger({
    service,
    level: "debug",
    write: (l) => lines.push(JSON.parse(l)),
  });
}

/** The resident of this test, with personal data no log line may hold. */
const RESIDENT = {
  name: "記録　正子",
  nameKana: "キロク　マサコ",
  birthDate: "1979-03-03",
  sex: "female",
  residentCode: "70707070701",
};
const CHILD = {
  name: "記録　小太郎",
  nameKana: "キロク　コタロウ",
  birthDate: "2015-04-01",
  residentCode: "70707070702",
};
const PROTECTED = {
  name: "保護　静香",
  nameKana: "ホゴ　シズカ",
  birthDate: "1985-05-05",
  sex: "female",
  residentCode: "70707070703",
};
/** Where the world's move-ins come from, live and were registered (issuance_world.ts). */
const PLACES = [
  "福岡県北九州市小倉北区城内１番１号",
  "東京都千代田区千代田１番",
  "福岡県北九州市小倉北区城内１番",
  "山田　一郎",
];

function withId(lines: Line[], id: string): Line[] {
  return lines.filter((l) => l.correlationId === id);
}

function requestLine(lines: Line[], method: string, path: RegExp): Line {
  const found = lines.find((l) =>
    l.msg === "request" && l.method === method && path.test(String(l.path))
  );
  assert.ok(found, `a request line for ${method} ${path}`);
  return found;
}

Deno.test("[e2e] one correlation id follows a kiosk run; refusal codes and idle polls in the logs", async (t) => {
  const logs = {
    registry: [] as Line[],
    jlis: [] as Line[],
    kiosk: [] as Line[],
  };
  const w = await openIssuanceWorld({
    nodes: ONE_NODE,
    loggers: {
      registry: capture("registry", logs.registry),
      jlis: capture("jlis", logs.jlis),
    },
  });
  const node = w.nodes[0];
  const aspLines = () => node.asp.logs.map((l) => JSON.parse(l) as Line);
  const kiosk = w.kiosk({ logger: capture("kiosk", logs.kiosk) });
  const db = w.jlis.databases[0].db;
  try {
    const resident = await w.moveIn(CODE, RESIDENT);
    const child = await w.moveIn(CODE, CHILD);
    const protectedOne = await w.moveIn(CODE, PROTECTED);
    const cards = {
      resident: await w.issueCard(CODE, resident),
      child: await w.issueCard(CODE, child),
      protected: await w.issueCard(CODE, protectedOne),
    };
    await w.block(CODE, protectedOne, "support_measure");
    await w.sync();
    const base = { pin: "1234", type: "juminhyo" as const };

    await t.step(
      "the kiosk's, the center's and the ASP's lines and the message log share the run's id",
      async () => {
        const r = await kiosk.run({
          ...base,
          card: cards.resident,
          options: { honseki: true },
        });
        if (!r.ok) assert.fail(`refused: ${r.code}`);
        const id = r.correlationId;
        assert.match(id, /^run-[0-9a-f-]{36}$/);

        // The kiosk: every line of the run, the outcome with the issuance id.
        const kioskRun = withId(logs.kiosk, id);
        assert.ok(kioskRun.length >= 5, "four calls and the outcome");
        const issued = kioskRun.find((l) => l.msg === "issued");
        assert.equal(issued?.level, "info");
        assert.equal(issued?.issuanceRequestId, r.requestId);
        assert.equal(issued?.issueNumber, r.issueNumber);

        // The center: a request line for each of the kiosk's calls, and the
        // issuance's own line, all with the run's id; every line naming the
        // issuance carries it.
        const center = withId(logs.jlis, id);
        requestLine(center, "POST", /^\/kiosk\/sessions$/);
        requestLine(center, "POST", /^\/kiosk\/sessions\/[^/]+\/authenticate$/);
        const built = requestLine(
          center,
          "POST",
          /^\/kiosk\/sessions\/[^/]+\/certificates$/,
        );
        assert.equal(built.status, 200);
        assert.equal(built.issuanceRequestId, r.requestId);
        assert.equal(built.code, undefined);
        const outcome = requestLine(center, "POST", /\/outcome$/);
        assert.equal(outcome.issuanceRequestId, r.requestId);
        const released = center.find((l) => l.msg === "issuance released");
        assert.equal(released?.issuanceRequestId, r.requestId);
        assert.equal(released?.municipalityCode, CODE);
        for (const l of logs.jlis) {
          if (l.issuanceRequestId === r.requestId) {
            assert.equal(l.correlationId, id, JSON.stringify(l));
          }
        }

        // The ASP: the build and the delivery confirmation, with the run's
        // id and the issuance request id.
        const asp = withId(aspLines(), id);
        const build = requestLine(asp, "POST", /\/certificates$/);
        assert.equal(build.status, 201);
        assert.equal(build.issuanceRequestId, r.requestId);
        assert.equal(build.requestId, r.requestId);
        const delivered = requestLine(asp, "POST", /\/delivered$/);
        assert.equal(delivered.issuanceRequestId, r.requestId);

        // The center's message log: both directions of every message of the
        // run (four kiosk calls, two ASP calls), and every row of the
        // issuance request carries the id.
        const rows = await db.select().from(messageLog).where(
          eq(messageLog.correlationId, id),
        );
        assert.equal(rows.length, 12);
        assert.deepEqual(
          [...new Set(rows.map((x) => x.peer))].sort(),
          ["kiosk-0001", "node-a"],
        );
        const ofRequest = await db.select().from(messageLog).where(
          eq(messageLog.requestId, r.requestId),
        );
        assert.equal(ofRequest.length, 4);
        assert.ok(ofRequest.every((x) => x.correlationId === id));
      },
    );

    await t.step(
      "a refusal's code is on the center's request line, the issuance line, the ASP's line and the kiosk's line",
      async () => {
        const r = await kiosk.run({ ...base, card: cards.child });
        assert.ok(!r.ok);
        assert.equal(r.code, "UNDER_15");
        assert.equal(r.stage, "certificate");
        const id = r.correlationId!;
        const line = requestLine(
          withId(logs.jlis, id),
          "POST",
          /\/certificates$/,
        );
        assert.equal(line.status, 409);
        assert.equal(line.code, "UNDER_15");
        assert.match(String(line.issuanceRequestId), /^req-/);
        const issuance = withId(logs.jlis, id).find((l) =>
          l.msg === "issuance refused"
        );
        assert.equal(issuance?.code, "UNDER_15");
        assert.equal(issuance?.issuanceRequestId, line.issuanceRequestId);
        const asp = requestLine(
          withId(aspLines(), id),
          "POST",
          /\/certificates$/,
        );
        assert.equal(asp.code, "UNDER_15");
        assert.equal(asp.issuanceRequestId, line.issuanceRequestId);
        const refused = withId(logs.kiosk, id).find((l) => l.msg === "refused");
        assert.equal(refused?.level, "info");
        assert.equal(refused?.code, "UNDER_15");
        assert.equal(refused?.stage, "certificate");
        assert.equal(refused?.status, 409);
      },
    );

    await t.step(
      "a protected reason: the kiosk and the request line see the neutral code, the issuance line the specific one",
      async () => {
        const r: KioskReceipt | KioskRefusal = await kiosk.run({
          ...base,
          card: cards.protected,
        });
        assert.ok(!r.ok);
        assert.equal(r.code, "NOT_ISSUABLE_AT_KIOSK");
        const id = r.correlationId!;
        const line = requestLine(
          withId(logs.jlis, id),
          "POST",
          /\/certificates$/,
        );
        assert.equal(line.code, "NOT_ISSUABLE_AT_KIOSK");
        const issuance = withId(logs.jlis, id).find((l) =>
          l.msg === "issuance refused"
        );
        assert.equal(issuance?.code, "SUPPORT_MEASURE");
        assert.equal(issuance?.kioskCode, "NOT_ISSUABLE_AT_KIOSK");
        const kioskLines = withId(logs.kiosk, id);
        assert.ok(
          kioskLines.some((l) => l.code === "NOT_ISSUABLE_AT_KIOSK"),
        );
        assert.ok(
          !kioskLines.some((l) => JSON.stringify(l).includes("SUPPORT")),
          "the kiosk never learns the protected reason",
        );
      },
    );

    await t.step(
      "an idle feed poll logs at debug at the registry and the ASP; a round with events at info",
      async () => {
        const before = logs.registry.length;
        const idle = await node.worker.syncOnce(CODE);
        assert.equal(idle.applied, 0);
        const round = aspLines().findLast((l) => l.msg === "sync round");
        assert.equal(round?.level, "debug");
        const poll = logs.registry.slice(before).find((l) =>
          l.msg === "request" && /\/feed$/.test(String(l.path))
        );
        assert.equal(poll?.level, "debug");
        assert.equal(poll?.status, 200);
        assert.equal(poll?.correlationId, round?.correlationId);

        await w.moveIn(CODE, {
          name: "記録　新入",
          residentCode: "70707070704",
        });
        const mark = logs.registry.length;
        const busy = await node.worker.syncOnce(CODE);
        assert.ok(busy.applied > 0);
        const busyRound = aspLines().findLast((l) => l.msg === "sync round");
        assert.equal(busyRound?.level, "info");
        const busyPoll = logs.registry.slice(mark).find((l) =>
          l.msg === "request" && /\/feed$/.test(String(l.path))
        );
        assert.equal(busyPoll?.level, "info");
      },
    );

    await t.step("no log line holds a resident's personal data", () => {
      const all = [...logs.registry, ...logs.jlis, ...logs.kiosk, ...aspLines()]
        .map((l) => JSON.stringify(l));
      assert.ok(all.length > 40);
      const personal = [
        ...[RESIDENT, CHILD, PROTECTED].flatMap((p) => [
          p.name,
          p.nameKana,
          p.residentCode,
        ]),
        "記録　新入",
        "70707070704",
        ...PLACES,
      ];
      for (const line of all) {
        for (const p of personal) {
          assert.ok(!line.includes(p), `a log line holds '${p}': ${line}`);
        }
      }
    });
  } finally {
    await w.close();
  }
});
