/**
 * Signed checkpoints of the audit file's head: the portal's own signing key
 * (never the center's; derived by lib/crypto/signer.ts from a secret —
 * `PORTAL_AUDIT_SIGNING_SECRET`, or in development one generated once under
 * `<DATA_DIR>` by lib/service/dev_secrets.ts) signs `(number, seq, hash,
 * at, keyId)` of the last line periodically (when the file grew) and on
 * demand. Checkpoints are appended to their own JSON-lines file beside the
 * audit file, published at `GET /audit/checkpoints` for whoever keeps
 * copies, and the public key list is written beside them
 * (`audit-keys.json`) for auditors to take out of band.
 * `verifyAuditAgainstCheckpoints` (audit.ts) then catches a rewrite.
 *
 * @module
 */
import { dirname } from "node:path";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { component } from "../../lib/service/openapi.ts";
import {
  createSigner,
  type Signer,
  signingKeyFromSecret,
} from "../../lib/crypto/signer.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import {
  type Checkpoint,
  checkpointListSchema,
  PORTAL_AUDIT_CHAIN,
  signCheckpoint,
} from "../../lib/ledger/checkpoint.ts";
import { devSecret } from "../../lib/service/dev_secrets.ts";
import { type Env, envInt } from "../../lib/service/env.ts";
import { type Logger, safeError } from "../../lib/service/logger.ts";
import type { Clock } from "../../lib/time/clock.ts";

/** Validity of the portal's derived audit key. */
const KEY_VALIDITY = {
  notBefore: new Date("2020-01-01T00:00:00Z"),
  notAfter: new Date("2100-01-01T00:00:00Z"),
};

/**
 * The portal's audit signer: from `PORTAL_AUDIT_SIGNING_SECRET` (base64,
 * ≥ 32 bytes), else a development secret generated once under
 * `<DATA_DIR>` (refused in production).
 *
 * @example
 * ```ts ignore
 * const signer = await portalAuditSigner(Deno.env, systemClock);
 * ```
 */
export async function portalAuditSigner(
  env: Env,
  clock: Clock,
): Promise<Signer> {
  const raw = env.get("PORTAL_AUDIT_SIGNING_SECRET") ??
    devSecret(env, "portal-audit-signing-key", {
      requiredVar: "PORTAL_AUDIT_SIGNING_SECRET",
    }).value;
  let secret: Uint8Array;
  try {
    secret = Uint8Array.fromBase64(raw);
  } catch {
    throw new Error("PORTAL_AUDIT_SIGNING_SECRET must be base64");
  }
  if (secret.length < 32) {
    throw new Error("PORTAL_AUDIT_SIGNING_SECRET must hold at least 32 bytes");
  }
  const key = await signingKeyFromSecret(secret, KEY_VALIDITY);
  secret.fill(0);
  return await createSigner([key], { clock });
}

/** The checkpoint interval: `PORTAL_AUDIT_CHECKPOINT_MS` (default 60 s, 0: on demand only). */
export function auditCheckpointIntervalMs(env: Env): number {
  return envInt(env, "PORTAL_AUDIT_CHECKPOINT_MS", 60_000, 0, 86_400_000);
}

/** The checkpoints of one audit file. */
export interface AuditCheckpoints {
  /** Signs the head now; with `ifMoved`, only when it moved since the last checkpoint (null otherwise, or when the file is empty). */
  checkpoint(opts?: { ifMoved?: boolean }): Promise<Checkpoint | null>;
  /** Checkpoints numbered after `after`, oldest first. */
  list(after?: number, limit?: number): Checkpoint[];
  /** The portal's public audit key list. */
  keyList(): Promise<KeyList>;
  /** Stops the timer and closes the file. */
  close(): Promise<void>;
}

/** What {@linkcode openAuditCheckpoints} needs. */
export interface AuditCheckpointsDeps {
  /** The checkpoints file (JSON lines). */
  path: string;
  signer: Signer;
  clock: Clock;
  /** The audit chain's head (the sink's `head()`). */
  head(): { seq: number; hash: string };
  /** Timer interval, ms (0: on demand only). */
  intervalMs?: number;
  logger?: Logger;
}

async function readLines(path: string): Promise<Checkpoint[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/**
 * Opens (or creates) the checkpoints file, writes the public key list
 * beside it (`audit-keys.json`), and starts the timer.
 *
 * @example
 * ```ts ignore
 * const cps = await openAuditCheckpoints({ path: "data/portal/audit-checkpoints.jsonl", signer, clock, head: sink.head });
 * ```
 */
export async function openAuditCheckpoints(
  deps: AuditCheckpointsDeps,
): Promise<AuditCheckpoints> {
  const dir = dirname(deps.path);
  await Deno.mkdir(dir, { recursive: true });
  const list = await readLines(deps.path);
  await Deno.writeTextFile(
    `${dir}/audit-keys.json`,
    JSON.stringify(await deps.signer.keyList(), null, 2) + "\n",
  );
  const file = await Deno.open(deps.path, {
    append: true,
    create: true,
    mode: 0o600,
  });
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const checkpoint = (opts: { ifMoved?: boolean } = {}) => {
    const job = queue.then(async () => {
      if (closed) throw new Error("Audit checkpoints are closed");
      const head = deps.head();
      const last = list.at(-1);
      if (head.seq === 0) return null;
      if (opts.ifMoved && last?.seq === head.seq) return null;
      const cp = await signCheckpoint(deps.signer, {
        chain: PORTAL_AUDIT_CHAIN,
        number: (last?.number ?? 0) + 1,
        seq: head.seq,
        hash: head.hash,
        at: deps.clock.now(),
      });
      const bytes = new TextEncoder().encode(JSON.stringify(cp) + "\n");
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.syncData();
      list.push(cp);
      return cp;
    });
    queue = job.catch(() => {});
    return job;
  };
  const timer = deps.intervalMs
    ? setInterval(() => {
      checkpoint({ ifMoved: true }).catch((err) =>
        deps.logger?.error("audit checkpoint failed", {
          error: safeError(err),
        })
      );
    }, deps.intervalMs)
    : undefined;
  return {
    checkpoint,
    list: (after = 0, limit = 1000) =>
      list.filter((c) => c.number > after).slice(0, limit),
    keyList: () => deps.signer.keyList(),
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await queue;
      closed = true;
      file.close();
    },
  };
}

/**
 * `GET /audit/checkpoints?after=`: the signed checkpoints of the audit
 * file's head (public: sequence numbers, hashes and times only).
 *
 * @example
 * ```ts ignore
 * app.route("/audit/checkpoints", createAuditCheckpointsApp(checkpoints));
 * ```
 */
export function createAuditCheckpointsApp(
  checkpoints: Pick<AuditCheckpoints, "list">,
): OpenAPIHono {
  // The portal renders thrown errors as pages: a bad query is answered here.
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      return c.json({
        code: "BAD_QUERY",
        message_ja: "問い合わせの形式が正しくありません。",
        message_en: "The query is malformed.",
      }, 400);
    },
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Signed checkpoints of the verification audit's head",
      request: {
        query: z.object({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
            .default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(1000),
        }),
      },
      responses: {
        200: {
          description: "Checkpoints",
          content: {
            "application/json": {
              schema: component(checkpointListSchema, "AuditCheckpointList"),
            },
          },
        },
      },
    }),
    (c) => {
      const { after, limit } = c.req.valid("query");
      return c.json({ checkpoints: checkpoints.list(after, limit) }, 200);
    },
  );
  return app;
}

/**
 * The portal's audit checkpoints as `startPortal` opens them: beside the
 * audit file (`<name>-checkpoints.jsonl`), signed by
 * {@linkcode portalAuditSigner}, on the configured interval.
 *
 * @example
 * ```ts ignore
 * const checkpoints = await openPortalAuditCheckpoints(env, config.auditFile, sink, systemClock, logger);
 * ```
 */
export async function openPortalAuditCheckpoints(
  env: Env,
  auditFile: string,
  sink: { head(): { seq: number; hash: string } },
  clock: Clock,
  logger: Logger,
): Promise<AuditCheckpoints> {
  return await openAuditCheckpoints({
    path: `${auditFile.replace(/\.jsonl$/, "")}-checkpoints.jsonl`,
    signer: await portalAuditSigner(env, clock),
    clock,
    head: () => sink.head(),
    intervalMs: auditCheckpointIntervalMs(env),
    logger,
  });
}
