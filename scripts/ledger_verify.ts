/**
 * Walks the center's issuance ledger (`npx -y deno@2.9.6 task ledger:verify`): recomputes
 * every entry's hash from the previous one, checks that the chain ends at
 * the recorded head, and that it passes through every signed checkpoint —
 * the center's own and the copies a municipality's registry kept (from its
 * API or an exported file). A full rewrite with recomputed hashes walks
 * cleanly but no longer matches a checkpoint signed before it. Signatures
 * are checked with the center's public key list as provisioned (`--keys`;
 * by default the center's own key store), never one fetched from a link.
 * Exit 0 when intact, 1 naming the first entry or checkpoint that does not
 * fit.
 *
 * ```
 * npx -y deno@2.9.6 task ledger:verify    # the center's database (JLIS_DATABASE_URL, DATABASE_URL or ./data/jlis)
 * npx -y deno@2.9.6 task ledger:verify --checkpoints copies.json --keys center-keys.json
 * npx -y deno@2.9.6 task ledger:verify --registry http://127.0.0.1:8101   # token in LEDGER_VERIFY_REGISTRY_TOKEN
 * ```
 *
 * @module
 */
import { serviceDatabaseOptions } from "../lib/db/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { type KeyList, parseKeyList } from "../lib/crypto/key_list.ts";
import {
  type Checkpoint,
  checkpointListSchema,
} from "../lib/ledger/checkpoint.ts";
import { mtlsFetch } from "../lib/tls/mod.ts";
import { systemClock } from "../lib/time/clock.ts";
import { MIGRATIONS } from "../services/jlis/main.ts";
import { loadJlisConfig } from "../services/jlis/config.ts";
import { loadCenterKeys } from "../services/jlis/keys.ts";
import {
  auditLedger,
  type CheckpointCopies,
} from "../services/jlis/issuance/checkpoints.ts";
import { parseCli } from "../lib/service/cli.ts";
import { verifyAuditAgainstCheckpoints } from "../services/portal/audit.ts";

/**
 * Reads checkpoint copies from a file: `{ checkpoints: [...] }` (as
 * `GET /ledger-checkpoints` answers), a bare array, or JSON lines (the
 * portal's checkpoints file).
 *
 * @example
 * ```ts ignore
 * const copies = await readCheckpointsFile("copies.json");
 * ```
 */
export async function readCheckpointsFile(path: string): Promise<Checkpoint[]> {
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n").filter((l) => l.trim());
  let first: unknown = null;
  try {
    first = JSON.parse(lines[0] ?? "null");
  } catch { /* not JSON lines: one JSON document */ }
  const raw = typeof first === "object" && first !== null && "chain" in first
    ? lines.map((l) => JSON.parse(l))
    : JSON.parse(text);
  const parsed = checkpointListSchema.safeParse(
    Array.isArray(raw) ? { checkpoints: raw } : raw,
  );
  if (!parsed.success) {
    throw new Error(`${path} does not hold a list of signed checkpoints`);
  }
  return parsed.data.checkpoints;
}

/**
 * Reads every checkpoint copy a registry holds (`GET /ledger-checkpoints`).
 *
 * @example
 * ```ts ignore
 * const copies = await fetchRegistryCopies("http://127.0.0.1:8101", token);
 * ```
 */
export async function fetchRegistryCopies(
  registryUrl: string,
  token: string,
  f: (input: string, init?: RequestInit) => Promise<Response> = fetch,
): Promise<Checkpoint[]> {
  const base = registryUrl.replace(/\/+$/, "");
  const out: Checkpoint[] = [];
  for (;;) {
    const after = out.at(-1)?.number ?? 0;
    const res = await f(
      `${base}/ledger-checkpoints?after=${after}&limit=1000`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`The registry answered ${res.status}`);
    }
    const parsed = checkpointListSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error("The registry's answer is malformed");
    out.push(...parsed.data.checkpoints);
    if (parsed.data.checkpoints.length < 1000) return out;
  }
}

async function provisionedKeys(path: string | undefined): Promise<KeyList> {
  if (path) return parseKeyList(JSON.parse(await Deno.readTextFile(path)));
  const config = loadJlisConfig(Deno.env);
  const { signer } = await loadCenterKeys(
    { ...config, generateKeys: false },
    systemClock,
  );
  return await signer.keyList();
}

async function registryFetch(values: {
  "tls-ca"?: string;
  "tls-cert"?: string;
  "tls-key"?: string;
}) {
  if (!values["tls-ca"]) return { f: fetch, close() {} };
  const f = mtlsFetch({
    ca: await Deno.readTextFile(values["tls-ca"]),
    cert: await Deno.readTextFile(values["tls-cert"] ?? ""),
    key: await Deno.readTextFile(values["tls-key"] ?? ""),
  });
  return { f, close: () => f.close() };
}

async function verifyPortalAudit(values: {
  "portal-audit"?: string;
  "portal-keys"?: string;
  "portal-checkpoints"?: string;
}): Promise<number> {
  const file = values["portal-audit"]!;
  if (!values["portal-keys"]) {
    console.error(
      "--portal-audit needs --portal-keys (the portal's key list as provisioned to you)",
    );
    return 2;
  }
  const keyList = parseKeyList(
    JSON.parse(await Deno.readTextFile(values["portal-keys"])),
  );
  const cpFile = values["portal-checkpoints"] ??
    `${file.replace(/\.jsonl$/, "")}-checkpoints.jsonl`;
  const v = await verifyAuditAgainstCheckpoints(
    file,
    await readCheckpointsFile(cpFile),
    keyList,
  );
  if (v.ok) console.log(`portal audit ${file}: ${v.detail}`);
  else console.error(`portal audit BROKEN (${file}): ${v.detail}`);
  return v.ok ? 0 : 1;
}

if (import.meta.main) {
  const { values } = parseCli({
    task: "ledger:verify",
    usage:
      "[--keys FILE] [--checkpoints FILE]... [--registry URL]\n[--tls-ca FILE --tls-cert FILE --tls-key FILE]\n" +
      "| --portal-audit FILE --portal-keys FILE [--portal-checkpoints FILE]",
    description:
      "Walks the center's hash-chained issuance ledger (JLIS_DATABASE_URL,\n" +
      "DATABASE_URL or ./data/jlis) and checks it against the signed checkpoints:\n" +
      "the center's own, copies in files (--checkpoints) and a registry's copies\n" +
      "(--registry; token in LEDGER_VERIFY_REGISTRY_TOKEN). --keys: the center's\n" +
      "public key list (default: its key store). Exit 0 when intact, 1 naming\n" +
      "the first bad entry or checkpoint. --portal-audit FILE instead checks the\n" +
      "portal's audit file against its signed checkpoints (--portal-checkpoints,\n" +
      "default beside it) with the portal's key list (--portal-keys, required).",
    options: {
      keys: { type: "string" },
      checkpoints: { type: "string", multiple: true },
      registry: { type: "string" },
      "tls-ca": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "portal-audit": { type: "string" },
      "portal-keys": { type: "string" },
      "portal-checkpoints": { type: "string" },
    },
    paths: [
      "keys",
      "checkpoints",
      "tls-ca",
      "tls-cert",
      "tls-key",
      "portal-audit",
      "portal-keys",
      "portal-checkpoints",
    ],
  });
  if (values["portal-audit"]) {
    Deno.exit(await verifyPortalAudit(values));
  }
  const keyList = await provisionedKeys(values.keys);
  const copies: CheckpointCopies[] = [];
  for (const path of values.checkpoints ?? []) {
    copies.push({ source: path, checkpoints: await readCheckpointsFile(path) });
  }
  if (values.registry) {
    const token = Deno.env.get("LEDGER_VERIFY_REGISTRY_TOKEN");
    if (!token) {
      console.error("--registry needs LEDGER_VERIFY_REGISTRY_TOKEN");
      Deno.exit(2);
    }
    const http = await registryFetch(values);
    try {
      copies.push({
        source: `registry ${values.registry}`,
        checkpoints: await fetchRegistryCopies(values.registry, token, http.f),
      });
    } finally {
      http.close();
    }
  }
  const database = await openDatabase(await serviceDatabaseOptions("jlis"));
  try {
    await database.migrate(MIGRATIONS);
    const started = performance.now();
    const findings = await auditLedger(database.db, keyList, copies);
    const ms = Math.round(performance.now() - started);
    for (const f of findings) {
      if (f.ok) console.log(`ledger ${f.source}: ${f.detail}`);
      else console.error(`ledger BROKEN (${f.source}): ${f.detail}`);
    }
    console.log(`(${ms} ms)`);
    if (findings.some((f) => !f.ok)) Deno.exitCode = 1;
  } finally {
    await database.close();
  }
}
