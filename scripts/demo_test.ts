import assert from "node:assert/strict";
import { taskCommand } from "../lib/service/commands.ts";
import { type DemoCard, kioskTryout } from "./demo.ts";

const CARDS: DemoCard[] = [
  {
    file: "/srv/konbini/data/cards/401005-00000003.card.json",
    residentId: "401005-00000003",
    label: "resident 401005-00000003",
  },
  {
    file: "/srv/my konbini/data/cards/401005-00000011.card.json",
    residentId: "401005-00000011",
    label: "resident 401005-00000011",
  },
];

Deno.test("kioskTryout() prints one runnable command per card, each writing its own PDF", () => {
  const lines = kioskTryout(CARDS, "http://127.0.0.1:8104", {
    centerUrl: "https://localhost:8103",
    certsDir: "/srv/my konbini/certs",
    keysFile: "/srv/my konbini/data/jlis/keys/jlis-keys.json",
  }).split("\n");
  const commands = lines.filter((l) => l.startsWith("  "));
  assert.equal(commands.length, 2);
  const outs = commands.map((c) => /--out (\S+)/.exec(c)?.[1]);
  assert.deepEqual(outs, [
    "kiosk-401005-00000003-juminhyo.pdf",
    "kiosk-401005-00000011-juminhyo.pdf",
  ]);
  for (const c of commands) {
    assert.ok(c.trim().startsWith(taskCommand("kiosk", "--card ")), c);
  }
  // The card path is absolute, quoted when the shell would split it.
  assert.match(
    commands[0],
    / --card \/srv\/konbini\/data\/cards\/401005-00000003\.card\.json /,
  );
  assert.match(
    commands[1],
    / --card '\/srv\/my konbini\/data\/cards\/401005-00000011\.card\.json' /,
  );
  // Each is a registered terminal with its own certificate, over mutual TLS.
  assert.deepEqual(
    commands.map((c) => /--kiosk-id (\S+)/.exec(c)?.[1]),
    ["kiosk-0001", "kiosk-0002"],
  );
  for (const c of commands) {
    assert.match(c, / --center https:\/\/localhost:8103 /);
    assert.match(c, / --certs '\/srv\/my konbini\/certs'/);
    // The center's keys come from the kiosk's provisioning, never the link.
    assert.match(
      c,
      / --keys '\/srv\/my konbini\/data\/jlis\/keys\/jlis-keys\.json'/,
    );
  }
  assert.match(
    lines.at(-1)!,
    /kiosk-401005-00000003-juminhyo\.pdf, kiosk-401005-00000011-juminhyo\.pdf/,
  );
});
