/**
 * The verification audit: one record per verification attempt — time,
 * request id, channel, client, outcome, verdict or refusal code, issue
 * number — and never any content (no image, no name, no address).
 *
 * The portal writes it as JSON lines through an injected sink rather than
 * to a database of its own: the portal is the one internet-facing part of
 * the system and keeps no data a person could be found by, so it holds no
 * database credentials at all; the file is append-only, each line carries
 * the SHA-256 of the previous one (a hash chain, so an edited or deleted
 * line shows), and it can be shipped to the center's log store as is.
 * Signed checkpoints of its head (audit_checkpoints.ts) anchor the chain:
 * a rewrite with recomputed hashes no longer matches them
 * ({@linkcode verifyAuditAgainstCheckpoints}).
 *
 * @module
 */
import type { KeyList } from "../../lib/crypto/key_list.ts";
import {
  type Checkpoint,
  matchCheckpoints,
  PORTAL_AUDIT_CHAIN,
} from "../../lib/ledger/checkpoint.ts";

/** One audited verification attempt. */
export interface AuditRecord {
  /** ISO 8601 instant. */
  time: string;
  requestId: string;
  /** `form` (the web page) or `api`. */
  channel: "form" | "api";
  /** `key:<client id>` or `anon:<keyed hash of the address>`. */
  client: string;
  outcome: "verdict" | "refused";
  /** The verdict given (or implied by a refusal of the file). */
  verdict?: string;
  /** Reason or refusal code. */
  code: string;
  /** Ledger status check: valid, voided, revoked, unknown, unavailable, not-checked. */
  status?: string;
  /** The issue number, when the signed header could be read. */
  issueNumber?: string;
  /** The file type sniffed, and its size in bytes. */
  fileType?: string;
  bytes?: number;
  /** Sheets verified in the upload. */
  sheets?: number;
  /** Time spent, ms. */
  ms: number;
}

/** Where audit records go. */
export interface AuditSink {
  /** Resolves once the record is stored; rejects when it cannot be. */
  write(record: AuditRecord): Promise<void>;
}

/** The JSON-lines sink: also tells its chain's head (for signed checkpoints). */
export interface JsonlAuditSink extends AuditSink {
  /** The last line written: its seq and hash (seq 0: none yet). */
  head(): { seq: number; hash: string };
  close(): Promise<void>;
}

/** A line of the JSON-lines audit file. */
export interface ChainedAuditRecord extends AuditRecord {
  seq: number;
  /** Hash of the previous line ("" for the first). */
  prev: string;
  /** SHA-256 (hex) of `prev` and this record without `hash`. */
  hash: string;
}

/**
 * An in-memory sink (tests).
 *
 * @example
 * ```ts
 * const audit = memoryAuditSink();
 * // … after a verification: audit.records[0].verdict
 * ```
 */
export function memoryAuditSink(): AuditSink & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    records,
    write(record) {
      records.push(record);
      return Promise.resolve();
    },
  };
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return new Uint8Array(d).toHex();
}

async function chainHash(
  prev: string,
  record: Omit<ChainedAuditRecord, "hash">,
): Promise<string> {
  return await sha256Hex(prev + "\n" + JSON.stringify(record));
}

async function lastLine(path: string): Promise<string | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  try {
    const size = (await file.stat()).size;
    const window = Math.min(size, 64 * 1024);
    const buf = new Uint8Array(window);
    await file.seek(size - window, Deno.SeekMode.Start);
    let read = 0;
    while (read < window) {
      const n = await file.read(buf.subarray(read));
      if (n === null) break;
      read += n;
    }
    const lines = new TextDecoder().decode(buf.subarray(0, read)).split("\n")
      .filter((l) => l.trim());
    return lines.at(-1);
  } finally {
    file.close();
  }
}

/**
 * Opens (or creates) a hash-chained JSON-lines audit file and continues its
 * chain. Writes are serialized and each is flushed before `write` resolves.
 *
 * @example
 * ```ts ignore
 * const audit = await openJsonlAuditSink("data/portal/audit.jsonl");
 * await audit.write({ time, requestId, channel: "api", client: "key:bank-a",
 *   outcome: "verdict", verdict: "genuine", code: "GENUINE", ms: 412 });
 * ```
 */
export async function openJsonlAuditSink(
  path: string,
): Promise<JsonlAuditSink> {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const last = await lastLine(path);
  let seq = 0;
  let prev = "";
  if (last) {
    const parsed = JSON.parse(last) as ChainedAuditRecord;
    seq = parsed.seq;
    prev = parsed.hash;
  }
  const file = await Deno.open(path, {
    append: true,
    create: true,
    mode: 0o600,
  });
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  return {
    write(record) {
      const job = queue.then(async () => {
        if (closed) throw new Error("Audit sink is closed");
        const base = { ...record, seq: seq + 1, prev };
        const hash = await chainHash(prev, base);
        const line = JSON.stringify({ ...base, hash }) + "\n";
        const bytes = new TextEncoder().encode(line);
        let written = 0;
        while (written < bytes.length) {
          written += await file.write(bytes.subarray(written));
        }
        await file.syncData();
        seq++;
        prev = hash;
      });
      queue = job.catch(() => {});
      return job;
    },
    head: () => ({ seq, hash: prev }),
    async close() {
      await queue;
      closed = true;
      file.close();
    },
  };
}

/**
 * Checks the hash chain of an audit file. Returns the number of lines, and
 * the 1-based line where the chain first breaks, if it does.
 *
 * @example
 * ```ts ignore
 * const check = await verifyAuditChain("data/portal/audit.jsonl");
 * if (check.brokenAt) console.error(`audit edited at line ${check.brokenAt}`);
 * ```
 */
export async function verifyAuditChain(
  path: string,
  hashes?: Map<number, string>,
): Promise<{ lines: number; brokenAt?: number }> {
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n").filter((l) => l.trim());
  let prev = "";
  for (let i = 0; i < lines.length; i++) {
    let rec: ChainedAuditRecord;
    try {
      rec = JSON.parse(lines[i]);
    } catch {
      return { lines: lines.length, brokenAt: i + 1 };
    }
    const { hash, ...base } = rec;
    if (
      rec.prev !== prev || rec.seq !== i + 1 ||
      await chainHash(prev, base) !== hash
    ) return { lines: lines.length, brokenAt: i + 1 };
    prev = hash;
    hashes?.set(rec.seq, hash);
  }
  return { lines: lines.length };
}

/**
 * Checks the audit file's chain and then that it passes through every
 * signed checkpoint of its head (services/portal/audit_checkpoints.ts),
 * each signature checked with the portal's public key list as provisioned
 * to the auditor: a file rewritten with recomputed hashes walks cleanly
 * but no longer matches a checkpoint signed before the rewrite.
 *
 * @example
 * ```ts ignore
 * const v = await verifyAuditAgainstCheckpoints("data/portal/audit.jsonl", checkpoints, keyList);
 * if (!v.ok) console.error(v.detail);
 * ```
 */
export async function verifyAuditAgainstCheckpoints(
  path: string,
  checkpoints: Checkpoint[],
  keyList: KeyList,
): Promise<{ ok: boolean; lines: number; detail: string }> {
  const hashes = new Map<number, string>();
  const chain = await verifyAuditChain(path, hashes);
  if (chain.brokenAt) {
    return {
      ok: false,
      lines: chain.lines,
      detail: `audit line ${chain.brokenAt} does not fit the chain`,
    };
  }
  const found = await matchCheckpoints(
    checkpoints,
    keyList,
    PORTAL_AUDIT_CHAIN,
    hashes,
    chain.lines,
  );
  return found ? { ok: false, lines: chain.lines, detail: found.detail } : {
    ok: true,
    lines: chain.lines,
    detail:
      `intact: ${chain.lines} lines, ${checkpoints.length} signed checkpoints match`,
  };
}
