/**
 * Signed checkpoints of the ledger's head: the center's signer signs
 * `(number, seq, hash, at, keyId)` of the head periodically (when the head
 * moved since the last checkpoint) and when an operator asks; the
 * checkpoints are stored in `ledger_checkpoints` and published to the
 * municipalities (`GET /ledger/checkpoints`), whose registries keep
 * copies. A rewrite of the ledger with recomputed hashes then no longer
 * passes through the signed heads (`ledger:verify`; lib/ledger/checkpoint.ts).
 *
 * Numbers are allocated under a transaction-scoped advisory lock, so
 * several center instances on one database never sign two checkpoints with
 * one number, and the numbers have no gaps.
 *
 * @module
 */
import { asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../../../lib/db/database.ts";
import type { Signer } from "../../../lib/crypto/signer.ts";
import type { KeyList } from "../../../lib/crypto/key_list.ts";
import {
  type AnchoredVerification,
  type Checkpoint,
  LEDGER_CHAIN,
  ledgerCheckpointOf,
  signCheckpoint,
  verifyAgainstCheckpoints,
} from "../../../lib/ledger/checkpoint.ts";
import { ledgerChainEntries, ledgerHeadOf } from "./ledger.ts";
import { type Env, envInt } from "../../../lib/service/env.ts";
import { type Logger, safeError } from "../../../lib/service/logger.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import { ledgerCheckpoints, ledgerHead } from "../../../db/jlis/schema.ts";

/** Advisory lock key of checkpoint signing ("ckpt"). */
const CHECKPOINT_LOCK = 0x636b7074;

/**
 * Signs a checkpoint of the ledger's current head and stores it (one
 * transaction). With `ifMoved`, nothing is signed when the head is where
 * the last checkpoint left it (null is returned).
 *
 * @example
 * ```ts ignore
 * const cp = await createLedgerCheckpoint(db, signer, clock);
 * ```
 */
export async function createLedgerCheckpoint(
  db: Db,
  signer: Signer,
  clock: Clock,
  opts: { ifMoved?: boolean } = {},
): Promise<Checkpoint | null> {
  return await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK})`);
    const [head] = await tx.select().from(ledgerHead).where(
      eq(ledgerHead.id, 1),
    );
    if (!head) throw new Error("The ledger has no head row");
    const [last] = await tx.select().from(ledgerCheckpoints).orderBy(
      sql`${ledgerCheckpoints.number} desc`,
    ).limit(1);
    const seq = Number(head.seq);
    if (
      opts.ifMoved && (last ? Number(last.seq) === seq : seq === 0)
    ) return null;
    const cp = await signCheckpoint(signer, {
      chain: LEDGER_CHAIN,
      number: last ? Number(last.number) + 1 : 1,
      seq,
      hash: head.hash,
      at: clock.now(),
    });
    await tx.insert(ledgerCheckpoints).values({
      number: cp.number,
      seq: cp.seq,
      hash: cp.hash,
      at: cp.at,
      keyId: cp.keyId,
      signature: cp.signature,
    });
    return cp;
  });
}

/**
 * Checkpoints numbered after `after`, oldest first (at most `limit`).
 *
 * @example
 * ```ts ignore
 * const page = await listLedgerCheckpoints(db, 0, 500);
 * ```
 */
export async function listLedgerCheckpoints(
  db: Db,
  after = 0,
  limit = 1000,
): Promise<Checkpoint[]> {
  const rows = await db.select().from(ledgerCheckpoints).where(
    gt(ledgerCheckpoints.number, after),
  ).orderBy(asc(ledgerCheckpoints.number)).limit(limit);
  return rows.map(ledgerCheckpointOf);
}

/** Every checkpoint the center holds, oldest first. */
export async function allLedgerCheckpoints(db: Db): Promise<Checkpoint[]> {
  const out: Checkpoint[] = [];
  for (;;) {
    const page = await listLedgerCheckpoints(db, out.at(-1)?.number ?? 0);
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

/**
 * The checkpoint interval from `JLIS_CHECKPOINT_INTERVAL_MS` (default 60 s;
 * 0 turns the timer off, leaving on-demand checkpoints only).
 *
 * @example
 * ```ts
 * const ms = checkpointIntervalMs(new Map([["JLIS_CHECKPOINT_INTERVAL_MS", "5000"]]));
 * ```
 */
export function checkpointIntervalMs(env: Env): number {
  return envInt(env, "JLIS_CHECKPOINT_INTERVAL_MS", 60_000, 0, 86_400_000);
}

/** What {@linkcode startCheckpointTimer} needs. */
export interface CheckpointTimerDeps {
  db: Db;
  signer: Signer;
  clock: Clock;
  logger: Logger;
  /** Interval, ms; 0 starts nothing. */
  intervalMs: number;
}

/** A running checkpoint timer. */
export interface CheckpointTimer {
  /** Signs now if the head moved (what each tick does). */
  tick(): Promise<Checkpoint | null>;
  /** Stops the timer and waits for a tick in progress. */
  stop(): Promise<void>;
}

/**
 * Signs a checkpoint every `intervalMs` when the ledger's head moved.
 * Failures are logged (class and code only) and retried at the next tick.
 *
 * @example
 * ```ts ignore
 * const timer = startCheckpointTimer({ db, signer, clock, logger, intervalMs: 60_000 });
 * await timer.stop();
 * ```
 */
export function startCheckpointTimer(
  deps: CheckpointTimerDeps,
): CheckpointTimer {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    const job = createLedgerCheckpoint(deps.db, deps.signer, deps.clock, {
      ifMoved: true,
    });
    running = job.then((cp) => {
      if (cp) {
        deps.logger.info("ledger checkpoint signed", {
          number: cp.number,
          seq: cp.seq,
          keyId: cp.keyId,
        });
      }
    }, (err) => {
      deps.logger.error("ledger checkpoint failed", {
        error: safeError(err),
      });
    });
    return job;
  };
  const timer = deps.intervalMs > 0
    ? setInterval(() => {
      tick().catch(() => {});
    }, deps.intervalMs)
    : undefined;
  return {
    tick,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}

/**
 * Walks the ledger and checks it against signed checkpoints (the center's
 * own, or copies a registry kept), each signature checked with a
 * provisioned public key list.
 *
 * @example
 * ```ts ignore
 * const v = await verifyLedgerAgainstCheckpoints(db, copies, keyList);
 * if (!v.ok) console.error(v.detail);
 * ```
 */
export async function verifyLedgerAgainstCheckpoints(
  db: Db,
  checkpoints: Checkpoint[],
  keyList: KeyList,
): Promise<AnchoredVerification> {
  return await verifyAgainstCheckpoints(
    ledgerChainEntries(db),
    checkpoints,
    keyList,
    { chain: LEDGER_CHAIN, expectedHead: await ledgerHeadOf(db) },
  );
}

/** Checkpoint copies held elsewhere (a registry, an export file). */
export interface CheckpointCopies {
  /** Where they came from, for the report (`registry https://…`, a file path). */
  source: string;
  checkpoints: Checkpoint[];
}

/** One finding of {@linkcode auditLedger}. */
export interface LedgerAuditFinding {
  source: string;
  ok: boolean;
  detail: string;
}

/**
 * The whole audit `ledger:verify` runs: the chain against the center's own
 * signed checkpoints, then against each set of copies; a copy the center
 * no longer holds identically (deleted or replaced checkpoint) is a finding
 * too. Every signature is checked with `keyList` (provisioned, never taken
 * from the link being checked).
 *
 * @example
 * ```ts ignore
 * const findings = await auditLedger(db, keyList, [{ source: "registry", checkpoints }]);
 * if (findings.some((f) => !f.ok)) Deno.exitCode = 1;
 * ```
 */
export async function auditLedger(
  db: Db,
  keyList: KeyList,
  copies: CheckpointCopies[],
): Promise<LedgerAuditFinding[]> {
  const own = await allLedgerCheckpoints(db);
  const findings: LedgerAuditFinding[] = [];
  const report = (source: string, v: AnchoredVerification) =>
    findings.push(
      v.ok
        ? {
          source,
          ok: true,
          detail:
            `intact: ${v.entries} entries, head ${v.headSeq} ${v.headHash}, ${v.checkpoints} signed checkpoints match`,
        }
        : { source, ok: false, detail: v.detail },
    );
  report("center", await verifyLedgerAgainstCheckpoints(db, own, keyList));
  const byNumber = new Map(own.map((c) => [c.number, c]));
  for (const set of copies) {
    const missing = set.checkpoints.find((c) => {
      const mine = byNumber.get(c.number);
      return !mine || mine.seq !== c.seq || mine.hash !== c.hash ||
        mine.signature !== c.signature;
    });
    report(
      set.source,
      await verifyLedgerAgainstCheckpoints(db, set.checkpoints, keyList),
    );
    if (missing && findings.at(-1)!.ok) {
      findings.push({
        source: set.source,
        ok: false,
        detail:
          `checkpoint ${missing.number} held here is missing or different at the center`,
      });
    }
  }
  return findings;
}
