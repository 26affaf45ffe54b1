/**
 * The task scripts as a person meets them, run as subprocesses: every one
 * answers `--help` with its usage in the runnable `npx -y deno@<pin> task …`
 * form and exit 0; a wrong option is a one-line error, the usage and exit 2,
 * never a stack trace; and a path typed to `deno task` from another
 * directory lands in that directory, not in the project root.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { taskCommand } from "../lib/service/commands.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every entry point behind a `deno task`, with its task name. */
const SCRIPTS: ReadonlyArray<readonly [task: string, file: string]> = [
  ["start", "main.ts"],
  ["setup", "scripts/setup.ts"],
  ["certs", "scripts/certs.ts"],
  ["seed", "scripts/seed.ts"],
  ["db:generate", "scripts/db_generate.ts"],
  ["db:migrate", "scripts/db_migrate.ts"],
  ["render", "scripts/render.ts"],
  ["corpus", "scripts/corpus.ts"],
  ["card:issue", "scripts/card_issue.ts"],
  ["card:pin-reset", "scripts/card_pin_reset.ts"],
  ["card:continue", "scripts/card_continue.ts"],
  ["kiosk", "scripts/kiosk.ts"],
  ["ledger:verify", "scripts/ledger_verify.ts"],
  ["media:export", "scripts/media_export.ts"],
  ["media:import", "scripts/media_import.ts"],
  ["portal", "scripts/portal_demo.ts"],
  ["build:portal", "services/portal/build.ts"],
  ["bench", "bench/main.ts"],
  // The services started one by one: --help answers before anything starts.
  ["registry", "services/registry/main.ts"],
  ["asp", "services/asp/main.ts"],
  ["jlis", "services/jlis/main.ts"],
  ["kiosk:screen", "services/kiosk/screen/main.ts"],
];

async function run(
  args: string[],
  opts: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  // As from a shell: no INIT_CWD inherited from the `deno task test` that
  // runs this file (deno task keeps one already set).
  const { INIT_CWD: _inherited, ...env } = Deno.env.toObject();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: opts.cwd ?? ROOT,
    clearEnv: true,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    // A script that ignored --help would start its work; do not wait for it.
    signal: AbortSignal.timeout(120_000),
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

Deno.test("every task script answers --help with its usage and exit 0", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")))
    .tasks as Record<string, string>;
  for (const [task, file] of SCRIPTS) {
    assert.match(tasks[task], new RegExp(file.replaceAll(".", "\\.")), task);
    const r = await run(["run", "-A", file, "--help"]);
    assert.equal(r.code, 0, `${task}: ${r.stderr}`);
    assert.ok(
      r.stdout.startsWith(`usage: ${taskCommand(task)}`),
      `${task}: ${r.stdout}`,
    );
  }
});

Deno.test("a wrong option is one line and the usage, exit 2, no stack trace", async () => {
  const r = await run(["run", "-A", "scripts/kiosk.ts", "--bogus"]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines[0], "kiosk: Unknown option '--bogus'");
  assert.ok(lines[1].startsWith(`usage: ${taskCommand("kiosk")} --card FILE`));
  assert.doesNotMatch(r.stderr, /Uncaught|\n\s+at /);
  assert.equal(r.stdout, "");

  const missing = await run(["run", "-A", "scripts/kiosk.ts", "--pin", "1"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^kiosk: --card and --pin are required\n/);

  // 部数 outside 1–10 is refused before anything is asked of the center.
  for (const copies of ["0", "11", "2.5", "x"]) {
    const bad = await run([
      "run",
      "-A",
      "scripts/kiosk.ts",
      "--card",
      "c.json",
      "--pin",
      "1234",
      "--copies",
      copies,
    ]);
    assert.equal(bad.code, 2, copies);
    assert.match(
      bad.stderr,
      /^kiosk: --copies must be a whole number from 1 to 10\n/,
    );
  }
  const jam = await run([
    "run",
    "-A",
    "scripts/kiosk.ts",
    "--card",
    "c.json",
    "--pin",
    "1234",
    "--copies",
    "2",
    "--jam-copy",
    "3",
  ]);
  assert.equal(jam.code, 2);
  assert.match(jam.stderr, /^kiosk: --jam-copy must be a copy from 1 to 2\n/);
});

Deno.test("a path typed to deno task from another directory resolves there", async () => {
  const here = await Deno.makeTempDir({ prefix: "konbini-cli-" });
  try {
    const r = await run([
      "task",
      "--config",
      join(ROOT, "deno.json"),
      "certs",
      "--out",
      "my-certs",
    ], { cwd: here });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await Deno.stat(join(here, "my-certs", "ca.pem"))).isFile);
    await assert.rejects(Deno.stat(join(ROOT, "my-certs")));
  } finally {
    await Deno.remove(here, { recursive: true });
  }
});

Deno.test("every README writes commands in the one runnable form, at the pinned version", async () => {
  const pin = taskCommand("x").split(" ")[2]; // deno@<version>
  const bad: string[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) {
        if (!["node_modules", "data", "docs", ".git"].includes(e.name)) {
          await walk(path);
        }
      } else if (e.name.endsWith(".md")) {
        const text = await Deno.readTextFile(path);
        for (const m of text.matchAll(/(?<![\w@.-])deno (task|run)\b/g)) {
          bad.push(`${path}: bare "${m[0]}" at ${m.index}`);
        }
        for (const m of text.matchAll(/deno@[\d.]+/g)) {
          if (m[0] !== pin) bad.push(`${path}: ${m[0]} (pinned: ${pin})`);
        }
      }
    }
  }
  await walk(ROOT);
  assert.deepEqual(bad, []);
});
