import assert from "node:assert/strict";
import { join } from "node:path";
import { callerPath, parseCliArgs, usageText } from "./cli.ts";
import { denoVersion, shellArg, taskCommand } from "./commands.ts";

const SPEC = {
  task: "kiosk",
  usage: "--card FILE --pin 1234 [--out FILE.pdf]\n[--jam] [--center URL]",
  description: "Runs the kiosk.",
  options: {
    card: { type: "string" },
    pin: { type: "string" },
    out: { type: "string", default: "kiosk.pdf" },
    jam: { type: "boolean", default: false },
    center: { type: "string" },
  },
  paths: ["card", "out"],
} as const;

Deno.test("taskCommand() prints the npx form with the pinned version", async () => {
  const pin = (await Deno.readTextFile(
    new URL("../../.deno-version", import.meta.url),
  )).trim();
  assert.equal(denoVersion(), pin);
  assert.equal(
    taskCommand("kiosk", "--card c.json"),
    `npx -y deno@${pin} task kiosk --card c.json`,
  );
  assert.equal(taskCommand("start"), `npx -y deno@${pin} task start`);
});

Deno.test("usageText() starts with the runnable command and indents continuations", () => {
  const text = usageText(SPEC);
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    `usage: ${taskCommand("kiosk", "--card FILE --pin 1234 [--out FILE.pdf]")}`,
  );
  assert.equal(lines[1], "         [--jam] [--center URL]");
  assert.equal(lines.at(-1), "Runs the kiosk.");
});

Deno.test("parseCliArgs() answers --help and -h, even beside a wrong option", () => {
  for (const args of [["--help"], ["-h"], ["--bogus", "--help"]]) {
    const r = parseCliArgs(SPEC, args, "/base");
    assert.equal(r.kind, "help", args.join(" "));
    assert.equal(r.kind === "help" && r.text, usageText(SPEC));
  }
});

Deno.test("parseCliArgs() turns an unknown option into a one-line error", () => {
  const r = parseCliArgs(SPEC, ["--card", "c.json", "--bogus"], "/base");
  assert.equal(r.kind, "error");
  if (r.kind !== "error") return;
  assert.equal(r.message, "Unknown option '--bogus'");
  assert.equal(r.text, usageText(SPEC, true));
  assert.ok(!r.text.includes("Runs the kiosk."));
});

Deno.test("parseCliArgs() refuses a missing value and a stray argument", () => {
  const missing = parseCliArgs(SPEC, ["--card"], "/base");
  assert.equal(missing.kind, "error");
  assert.ok(missing.kind === "error" && !missing.message.includes("\n"));
  const stray = parseCliArgs(SPEC, ["extra"], "/base");
  assert.equal(stray.kind, "error");
  assert.match(
    stray.kind === "error" ? stray.message : "",
    /Unexpected argument 'extra'/,
  );
});

Deno.test("parseCliArgs() resolves typed paths against the caller's directory, not defaults", () => {
  const r = parseCliArgs(
    SPEC,
    ["--card", "cards/a.json", "--center", "http://x"],
    "/home/me/sub",
  );
  assert.equal(r.kind, "ok");
  if (r.kind !== "ok") return;
  assert.equal(r.values.card, "/home/me/sub/cards/a.json");
  assert.equal(r.values.out, "kiosk.pdf"); // the default stays the project's
  assert.equal(r.values.center, "http://x"); // not a path option
  assert.equal(r.values.jam, false);
  const typed = parseCliArgs(
    SPEC,
    ["--out=../o.pdf", "--card", "/abs/c.json"],
    "/home/me/sub",
  );
  assert.ok(typed.kind === "ok");
  assert.equal(typed.kind === "ok" && typed.values.out, "/home/me/o.pdf");
  assert.equal(typed.kind === "ok" && typed.values.card, "/abs/c.json");
});

Deno.test("parseCliArgs() resolves positional paths when the spec says so", () => {
  const spec = {
    task: "media:import",
    usage: "FILE",
    options: { certs: { type: "string", default: "certs" } },
    positionals: "paths",
  } as const;
  const r = parseCliArgs(spec, ["m.knb"], "/in/here");
  assert.equal(r.kind, "ok");
  assert.deepEqual(r.kind === "ok" && r.positionals, ["/in/here/m.knb"]);
});

Deno.test("callerPath() uses INIT_CWD, which deno task sets to the invoking directory", () => {
  const before = Deno.env.get("INIT_CWD");
  try {
    Deno.env.set("INIT_CWD", "/somewhere/else");
    assert.equal(callerPath("a/b.json"), "/somewhere/else/a/b.json");
    Deno.env.delete("INIT_CWD");
    assert.equal(callerPath("b.json"), join(Deno.cwd(), "b.json"));
  } finally {
    if (before === undefined) Deno.env.delete("INIT_CWD");
    else Deno.env.set("INIT_CWD", before);
  }
});

Deno.test("shellArg() quotes only what the shell would split", () => {
  assert.equal(
    shellArg("/data/cards/401005-1.card.json"),
    "/data/cards/401005-1.card.json",
  );
  assert.equal(shellArg("/my cards/a.json"), "'/my cards/a.json'");
  assert.equal(shellArg("it's"), `'it'\\''s'`);
});
