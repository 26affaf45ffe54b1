/**
 * The municipality's copies of the center's signed ledger checkpoints: a
 * job pulls `GET <center>/ledger/checkpoints?after=<last number>` with the
 * municipality's credential at the center, checks that the page continues
 * the copies held (numbers without gap, heads never going back) and that
 * every signature verifies with the center's public key list as provisioned
 * here (never one fetched from the center), and stores the page in one
 * transaction. `ledger:verify --registry` reads the copies back
 * (`GET /ledger-checkpoints`, services/registry/api/checkpoints.ts).
 *
 * @module
 */
import { asc, gt, sql } from "drizzle-orm";
import type { Db } from "../../lib/db/database.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { readKeyListFile } from "../../lib/crypto/key_store.ts";
import {
  checkCheckpointSignature,
  type Checkpoint,
  checkpointListSchema,
  checkpointSequenceProblem,
  LEDGER_CHAIN,
  ledgerCheckpointOf,
} from "../../lib/ledger/checkpoint.ts";
import { type Env, envInt } from "../../lib/service/env.ts";
import { type Logger, safeError } from "../../lib/service/logger.ts";
import { mtlsFetch } from "../../lib/tls/mod.ts";
import { ledgerCheckpointCopies } from "../../db/registry/schema.ts";
import {
  CenterPullError,
  type PullJob,
  refuseFailedAnswer,
  startPullJob,
} from "./center_pull.ts";

/** Where and how the registry pulls checkpoints. */
export interface CheckpointPullConfig {
  /** The center's base URL. */
  centerUrl: string;
  /**
   * The municipality's bearer token at the center (`municipal` scope);
   * none where its TLS certificate (`tls`) identifies it.
   */
  token?: string;
  /** The center's public key list file (JSON `{ keys: [...] }`), or null (copies kept unverified). */
  keysFile: string | null;
  /** Interval, ms. */
  intervalMs: number;
  /** Mutual TLS to the center (PEM files), when the center is https. */
  tls: { caFile: string; certFile: string; keyFile: string } | null;
}

/**
 * Reads `REGISTRY_CENTER_URL`, `REGISTRY_CENTER_TOKEN`,
 * `REGISTRY_CENTER_KEYS_FILE`, `REGISTRY_CHECKPOINT_PULL_MS` (default 60 s)
 * and, for an https center, `REGISTRY_CENTER_TLS_{CA,CERT,KEY}_FILE`.
 * Null when no center URL is configured (no pull).
 *
 * @example
 * ```ts
 * const cfg = loadCheckpointPullConfig(new Map([["REGISTRY_CENTER_URL", "http://127.0.0.1:8103"], ["REGISTRY_CENTER_TOKEN", "secret-token"]]));
 * ```
 */
export function loadCheckpointPullConfig(
  env: Env,
): CheckpointPullConfig | null {
  const centerUrl = env.get("REGISTRY_CENTER_URL");
  if (!centerUrl) return null;
  if (!/^https?:\/\/[^\s]+$/.test(centerUrl)) {
    throw new Error("REGISTRY_CENTER_URL must be an http(s) URL");
  }
  const token = env.get("REGISTRY_CENTER_TOKEN") || undefined;
  const ca = env.get("REGISTRY_CENTER_TLS_CA_FILE");
  const cert = env.get("REGISTRY_CENTER_TLS_CERT_FILE");
  const key = env.get("REGISTRY_CENTER_TLS_KEY_FILE");
  if ((ca || cert || key) && !(ca && cert && key)) {
    throw new Error(
      "REGISTRY_CENTER_TLS_CA_FILE, _CERT_FILE and _KEY_FILE must be set together",
    );
  }
  if (!(ca && cert && key) && (!token || token.length < 8)) {
    throw new Error(
      "REGISTRY_CENTER_TLS_{CA,CERT,KEY}_FILE (the municipality's certificate at the center) or REGISTRY_CENTER_TOKEN is required with REGISTRY_CENTER_URL",
    );
  }
  return {
    centerUrl: centerUrl.replace(/\/+$/, ""),
    token,
    keysFile: env.get("REGISTRY_CENTER_KEYS_FILE") ?? null,
    intervalMs: envInt(
      env,
      "REGISTRY_CHECKPOINT_PULL_MS",
      60_000,
      1000,
      86_400_000,
    ),
    tls: ca && cert && key
      ? { caFile: ca, certFile: cert, keyFile: key }
      : null,
  };
}

/**
 * Copies numbered after `after`, oldest first.
 *
 * @example
 * ```ts ignore
 * const copies = await listCheckpointCopies(db, 0, 1000);
 * ```
 */
export async function listCheckpointCopies(
  db: Db,
  after = 0,
  limit = 1000,
): Promise<Checkpoint[]> {
  const rows = await db.select().from(ledgerCheckpointCopies).where(
    gt(ledgerCheckpointCopies.number, after),
  ).orderBy(asc(ledgerCheckpointCopies.number)).limit(limit);
  return rows.map(ledgerCheckpointOf);
}

/**
 * The refusal of a page of checkpoints (nothing of it stored); its code is
 * `CHECKPOINT_GAP`, `CHECKPOINT_SIGNATURE` or `CENTER_ANSWER`.
 */
export class CheckpointPullError extends CenterPullError {}

/** What {@linkcode pullCheckpoints} needs. */
export interface CheckpointPullDeps {
  db: Db;
  centerUrl: string;
  /** A bearer token, where the transport's certificate does not identify the caller. */
  token?: string;
  /** The center's provisioned public keys; null keeps copies unverified. */
  keyList: KeyList | null;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Page size (default 500). */
  pageSize?: number;
}

async function lastCopy(db: Db): Promise<{ number: number; seq: number }> {
  const [row] = await db.select().from(ledgerCheckpointCopies).orderBy(
    sql`${ledgerCheckpointCopies.number} desc`,
  ).limit(1);
  return row
    ? { number: Number(row.number), seq: Number(row.seq) }
    : { number: 0, seq: 0 };
}

async function fetchPage(
  deps: CheckpointPullDeps,
  after: number,
  limit: number,
): Promise<Checkpoint[]> {
  const f = deps.fetch ?? ((i, init) => fetch(i, init));
  const res = await f(
    `${deps.centerUrl}/ledger/checkpoints?after=${after}&limit=${limit}`,
    { headers: deps.token ? { authorization: `Bearer ${deps.token}` } : {} },
  );
  await refuseFailedAnswer(res, CheckpointPullError);
  const parsed = checkpointListSchema.safeParse(await res.json());
  if (!parsed.success) {
    throw new CheckpointPullError(
      "CENTER_ANSWER",
      "The center's checkpoint list is malformed",
    );
  }
  return parsed.data.checkpoints;
}

async function checkPage(
  deps: CheckpointPullDeps,
  page: Checkpoint[],
  last: { number: number; seq: number },
): Promise<void> {
  const gap = checkpointSequenceProblem(page, last.number, last.seq);
  if (gap) throw new CheckpointPullError("CHECKPOINT_GAP", gap);
  if (!deps.keyList) return;
  for (const cp of page) {
    const problem = await checkCheckpointSignature(
      deps.keyList,
      cp,
      LEDGER_CHAIN,
    );
    if (problem) {
      throw new CheckpointPullError(
        "CHECKPOINT_SIGNATURE",
        `checkpoint ${cp.number}: ${problem}`,
      );
    }
  }
}

/**
 * Pulls every checkpoint newer than the copies held, page by page; each
 * page is checked whole (continuity, signatures) and stored in one
 * transaction. Returns how many were stored; throws
 * {@linkcode CheckpointPullError} on a refused page (earlier pages stay).
 *
 * @example
 * ```ts ignore
 * const n = await pullCheckpoints({ db, centerUrl, token, keyList });
 * ```
 */
export async function pullCheckpoints(
  deps: CheckpointPullDeps,
): Promise<number> {
  const limit = deps.pageSize ?? 500;
  let stored = 0;
  for (;;) {
    const last = await lastCopy(deps.db);
    const page = await fetchPage(deps, last.number, limit);
    if (!page.length) return stored;
    await checkPage(deps, page, last);
    await deps.db.transaction(async (tx) => {
      await tx.insert(ledgerCheckpointCopies).values(page.map((cp) => ({
        number: cp.number,
        seq: cp.seq,
        hash: cp.hash,
        at: cp.at,
        keyId: cp.keyId,
        signature: cp.signature,
      })));
    });
    stored += page.length;
    if (page.length < limit) return stored;
  }
}

/** A running pull job: `tick()` pulls now (what each tick does). */
export type CheckpointPull = PullJob<never, number>;

/**
 * Pulls checkpoints at start and then every `intervalMs`; a refused page or
 * an unreachable center is logged (code only) and retried at the next tick.
 *
 * @example
 * ```ts ignore
 * const pull = startCheckpointPull({ db, centerUrl, token, keyList, logger, intervalMs: 60_000 });
 * await pull.stop();
 * ```
 */
export function startCheckpointPull(
  deps: CheckpointPullDeps & { logger: Logger; intervalMs: number },
): CheckpointPull {
  return startPullJob(
    () =>
      pullCheckpoints(deps).then((n) => {
        if (n) deps.logger.info("ledger checkpoints copied", { stored: n });
        return n;
      }, (err) => {
        deps.logger.error("ledger checkpoint pull failed", {
          code: err instanceof CheckpointPullError ? err.code : undefined,
          error: safeError(err),
        });
        throw err;
      }),
    deps.intervalMs,
  );
}

/**
 * Starts the pull job as configured (see
 * {@linkcode loadCheckpointPullConfig}); null when no center is configured.
 *
 * @example
 * ```ts ignore
 * const pull = await startConfiguredCheckpointPull(Deno.env, { db, logger });
 * await pull?.stop();
 * ```
 */
export async function startConfiguredCheckpointPull(
  env: Env,
  deps: { db: Db; logger: Logger },
): Promise<CheckpointPull | null> {
  const config = loadCheckpointPullConfig(env);
  if (!config) return null;
  const keyList = config.keysFile
    ? await readKeyListFile(config.keysFile)
    : null;
  if (!keyList) {
    deps.logger.warn(
      "ledger checkpoint copies kept unverified: REGISTRY_CENTER_KEYS_FILE not set",
    );
  }
  const tls = config.tls
    ? mtlsFetch({
      ca: await Deno.readTextFile(config.tls.caFile),
      cert: await Deno.readTextFile(config.tls.certFile),
      key: await Deno.readTextFile(config.tls.keyFile),
    })
    : undefined;
  const pull = startCheckpointPull({
    db: deps.db,
    centerUrl: config.centerUrl,
    token: config.token,
    keyList,
    fetch: tls,
    logger: deps.logger,
    intervalMs: config.intervalMs,
  });
  return {
    tick: pull.tick,
    async stop() {
      await pull.stop();
      tls?.close();
    },
  };
}
