/**
 * The initial load (and any later full reload) of a tenant: records in the
 * feed's shapes are projected, encrypted and COPY-loaded into a staging
 * schema; then one transaction swaps the staging schema in for the tenant's
 * schema and sets its snapshot and applied sequences. Until that commit the
 * tenant is exactly as it was; a snapshot not newer than the replica is
 * refused (replay). The switch's audit record names the media file it came
 * from (its manifest digest), when given.
 *
 * Loading is built for size: rows go in as binary COPY (no escaping, bytea
 * as it is) on two connections at once; the staging tables' keys and
 * indexes are dropped while loading and built once at the end, where a
 * duplicate id surfaces as the unique key's violation. With
 * {@linkcode applySnapshotChunks}, NDJSON chunks are parsed, projected and
 * sealed by workers (./snapshot_worker.ts) on every core while this thread
 * feeds the database.
 *
 * @module
 */
import {
  type FeedGaijiSet,
  gaijiSetSchema,
  type MunicipalityFeedPolicy,
} from "../../lib/contracts/registry_feed.ts";
import { tenantPolicyColumns } from "./tenancy.ts";
import { eq, sql } from "drizzle-orm";
import type postgres from "postgres";
import type { PGlite } from "@electric-sql/pglite";
import { tenants } from "../../db/asp/schema.ts";
import { openCopyIn } from "../../lib/db/copy_in.ts";
import { crashPoint } from "../../lib/crash_point.ts";
import type { Tx } from "../../lib/db/database.ts";
import { AspError } from "./errors.ts";
import { type ProjectionPolicy, ReplicaDataError } from "./replica.ts";
import type { SnapshotRecord } from "./replica.ts";
import {
  COPY_BINARY_HEADER,
  COPY_BINARY_TRAILER,
  CopyRows,
  encodeNdjson,
  SNAPSHOT_KINDS,
  SNAPSHOT_TABLES,
  snapshotCopyRow,
  type SnapshotKind,
} from "./snapshot_rows.ts";
import type { TenantCipher } from "./keys.ts";
import {
  applyTenantDdl,
  ident,
  rowsOf,
  type Tenancy,
  writeAudit,
} from "./tenancy.ts";

/** Options of {@linkcode applySnapshot}. */
export interface ApplySnapshotOptions {
  /** Who loads it (audit). */
  actor: string;
  /** Called every `progressEvery` records (about) with the count so far. */
  onProgress?: (loaded: number) => void;
  progressEvery?: number;
  /** Records encoded before they are handed to COPY (default 10,000). */
  batchSize?: number;
  /** Bytes of COPY data per statement, at least (default 8 MiB). */
  copyBytes?: number;
  /** Longest one COPY statement may take (ms, default 120,000). */
  copyTimeoutMs?: number;
  /** Instant written to the audit record. */
  at?: Date;
  /** The municipality's kiosk policy at the snapshot (the registry's record), set with the switch. */
  policy?: MunicipalityFeedPolicy;
  /**
   * The municipality's 外字 at the snapshot (the media header's): loaded with
   * the switch unless the tenant holds a newer set already (from the feed).
   * Absent: the tenant keeps the 外字 it holds.
   */
  gaiji?: FeedGaijiSet;
  /**
   * SHA-256 of the manifest of the media file the records come from,
   * written to the switch's audit record: a re-run of an import killed
   * after the switch recognises its snapshot as live from that file.
   */
  manifestSha256?: string;
}

/** Options of {@linkcode applySnapshotChunks}. */
export interface ApplySnapshotChunksOptions extends ApplySnapshotOptions {
  /**
   * Workers parsing, projecting and sealing the chunks (default: one per
   * core, at most 4; 0 does it in this thread).
   */
  workers?: number;
}

/** A chunk of snapshot records of one kind: one JSON object per line, each line ended by `\n`. */
export interface SnapshotChunk {
  kind: SnapshotKind;
  records: number;
  ndjson: Uint8Array;
}

/** What a snapshot load did. */
export interface SnapshotResult {
  snapshotSeq: number;
  counts: Record<SnapshotKind, number>;
}

function checkSeqAgainst(
  t: { snapshotSeq: number | null; appliedSeq: number },
  snapshotSeq: number,
  code: string,
) {
  const current = t.snapshotSeq === null ? null : Number(t.snapshotSeq);
  const applied = Number(t.appliedSeq);
  if ((current !== null && snapshotSeq <= current) || snapshotSeq < applied) {
    throw new AspError("SNAPSHOT_NOT_NEWER", {
      tenant: code,
      snapshotSeq,
      currentSnapshotSeq: current,
      appliedSeq: applied,
    });
  }
}

function emptyCounts(): Record<SnapshotKind, number> {
  return { resident: 0, household: 0, seal: 0, block: 0, card: 0 };
}

// ---- COPY into staging ----------------------------------------------------

/** Where encoded rows go: one COPY statement per `copyBytes` of a table. */
interface CopySink {
  /** Queues rows; returns a promise when the caller should wait. */
  write(kind: SnapshotKind, rows: Uint8Array): Promise<void> | void;
  /** Sends what is left and waits for every statement. */
  finish(): Promise<void>;
  /** Statements to run after loading, each group on its own connection at once. */
  runGroups(groups: string[][]): Promise<void>;
  /** Lets go of the connections (after finish or on failure). */
  close(): Promise<void>;
}

function copySql(schema: string, kind: SnapshotKind): string {
  const t = SNAPSHOT_TABLES[kind];
  return `COPY ${ident(schema)}.${ident(t.table)} (${
    t.columns.map(ident).join(", ")
  }) FROM STDIN (FORMAT binary)`;
}

/**
 * The sink over PostgreSQL: up to `lanes` statements run at once, each on a
 * connection reserved from the pool. postgres.js never settles a COPY the
 * server refused after the data was sent, so each statement has a deadline;
 * nothing in the staging tables can refuse a validated row (no keys while
 * loading), so that is a safety net, not a path.
 */
function postgresSink(
  client: postgres.Sql,
  schema: string,
  opts: { copyBytes: number; timeoutMs: number; lanes: number },
): CopySink {
  const conns: postgres.ReservedSql[] = [];
  const idle: postgres.ReservedSql[] = [];
  const waiting: ((c: postgres.ReservedSql) => void)[] = [];
  let opened = 0;
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  const pending = new Map<
    SnapshotKind,
    { parts: Uint8Array[]; bytes: number }
  >();

  async function take(): Promise<postgres.ReservedSql> {
    const c = idle.pop();
    if (c) return c;
    if (opened < opts.lanes) {
      opened++;
      const r = await client.reserve();
      conns.push(r);
      return r;
    }
    return await new Promise((resolve) => waiting.push(resolve));
  }
  function give(c: postgres.ReservedSql): void {
    const w = waiting.shift();
    if (w) w(c);
    else idle.push(c);
  }

  async function copy(
    conn: postgres.ReservedSql,
    kind: SnapshotKind,
    parts: Uint8Array[],
  ): Promise<void> {
    const copy = await openCopyIn(conn, copySql(schema, kind), {
      stallTimeoutMs: opts.timeoutMs,
      label: `${schema}.${SNAPSHOT_TABLES[kind].table}`,
    });
    await copy.write(COPY_BINARY_HEADER);
    for (const p of parts) await copy.write(p);
    await copy.write(COPY_BINARY_TRAILER);
    await copy.close();
  }

  /** Starts the COPY of what is pending for `kind`; never rejects (see `failure`). */
  function send(kind: SnapshotKind): Promise<void> {
    const p = pending.get(kind);
    if (!p?.bytes) return Promise.resolve();
    pending.delete(kind);
    const job: Promise<void> = (async () => {
      const conn = await take();
      try {
        if (!failure) await copy(conn, kind, p.parts);
      } catch (e) {
        failure ??= e;
      } finally {
        // After a refusal the server is ready again (postgres.js only lost
        // the answer), so the connection goes back; no COPY starts anymore.
        give(conn);
      }
    })().finally(() => running.delete(job));
    running.add(job);
    return job;
  }

  return {
    write(kind, rows) {
      if (failure) throw failure;
      if (!rows.length) return;
      let p = pending.get(kind);
      if (!p) pending.set(kind, p = { parts: [], bytes: 0 });
      p.parts.push(rows);
      p.bytes += rows.length;
      if (p.bytes < opts.copyBytes) return;
      void send(kind);
      // Bound memory: wait while every lane is busy and another block waits.
      if (running.size > opts.lanes) {
        return Promise.race(running).then(() => {
          if (failure) throw failure;
        });
      }
    },
    async finish() {
      for (const kind of SNAPSHOT_KINDS) void send(kind);
      while (running.size) await Promise.all(running);
      if (failure) throw failure;
    },
    async runGroups(groups) {
      await Promise.all(groups.map(async (stmts) => {
        const conn = await take();
        try {
          for (const s of stmts) await conn.unsafe(s);
        } finally {
          give(conn);
        }
      }));
    },
    async close() {
      // Statements still running (after a failure) settle first, or time out.
      while (running.size) await Promise.all(running);
      for (const c of conns) c.release();
      conns.length = 0;
      idle.length = 0;
    },
  };
}

/** The sink over PGlite (one connection): binary COPY from a blob. */
function pgliteSink(pg: PGlite, schema: string, copyBytes: number): CopySink {
  const pending = new Map<SnapshotKind, Uint8Array[]>();
  const sizes = new Map<SnapshotKind, number>();
  async function send(kind: SnapshotKind): Promise<void> {
    const parts = pending.get(kind);
    if (!parts?.length) return;
    pending.delete(kind);
    sizes.delete(kind);
    await pg.query(
      copySql(schema, kind).replace("FROM STDIN", "FROM '/dev/blob'"),
      [],
      {
        blob: new Blob(
          [COPY_BINARY_HEADER, ...parts, COPY_BINARY_TRAILER] as BlobPart[],
        ),
      },
    );
  }
  return {
    write(kind, rows) {
      if (!rows.length) return;
      const parts = pending.get(kind) ?? [];
      parts.push(rows);
      pending.set(kind, parts);
      const size = (sizes.get(kind) ?? 0) + rows.length;
      sizes.set(kind, size);
      if (size >= copyBytes) return send(kind);
    },
    async finish() {
      for (const kind of SNAPSHOT_KINDS) await send(kind);
    },
    async runGroups(groups) {
      for (const stmts of groups) for (const s of stmts) await pg.exec(s);
    },
    close: () => Promise.resolve(),
  };
}

// ---- keys and indexes -----------------------------------------------------

/**
 * Drops the keys and indexes of the loaded tables in `schema`; returns the
 * statements that build them again, grouped so that groups can run at once
 * (one table's statements stay in one group).
 */
async function dropKeys(tenancy: Tenancy, schema: string): Promise<string[][]> {
  const tables = SNAPSHOT_KINDS.map((k) => SNAPSHOT_TABLES[k].table);
  const list = `(${tables.map((t) => `'${t}'`).join(", ")})`;
  const constraints = rowsOf<{ tbl: string; name: string; def: string }>(
    await tenancy.db.execute(sql.raw(
      `SELECT c.relname AS tbl, con.conname AS name, pg_get_constraintdef(con.oid) AS def
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '${schema}' AND c.relname IN ${list} AND con.contype IN ('p', 'u')
        ORDER BY c.relname, con.conname`,
    )),
  );
  const indexes = rowsOf<{ tbl: string; name: string; def: string }>(
    await tenancy.db.execute(sql.raw(
      `SELECT c.relname AS tbl, i.relname AS name, pg_get_indexdef(i.oid) AS def
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class c ON c.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '${schema}' AND c.relname IN ${list}
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.oid)
        ORDER BY c.relname, i.relname`,
    )),
  );
  const drop: string[] = [];
  const build = new Map<string, string[]>();
  const add = (tbl: string, stmt: string) =>
    build.set(tbl, [...build.get(tbl) ?? [], stmt]);
  for (const c of constraints) {
    const t = `${ident(schema)}.${ident(c.tbl)}`;
    drop.push(`ALTER TABLE ${t} DROP CONSTRAINT ${ident(c.name)}`);
    add(c.tbl, `ALTER TABLE ${t} ADD CONSTRAINT ${ident(c.name)} ${c.def}`);
  }
  for (const i of indexes) {
    drop.push(`DROP INDEX ${ident(schema)}.${ident(i.name)}`);
    add(i.tbl, i.def);
  }
  if (drop.length) await tenancy.database.exec(drop.join(";\n"));
  // Largest table alone, the others together: two groups of similar work.
  const byTable = [...build.entries()];
  const first = byTable.filter(([t]) => t === SNAPSHOT_TABLES.resident.table);
  const rest = byTable.filter(([t]) => t !== SNAPSHOT_TABLES.resident.table);
  return [first, rest].map((g) => g.flatMap(([, s]) => s)).filter((g) =>
    g.length
  );
}

/** A unique key built after the load that meets a duplicate: the snapshot is invalid. */
function duplicateError(e: unknown): ReplicaDataError | null {
  const err = e as {
    code?: string;
    detail?: string;
    table_name?: string; // postgres.js
    table?: string; // PGlite
  };
  if (err?.code !== "23505") return null;
  const table = err.table_name ?? err.table;
  const kind = SNAPSHOT_KINDS.find((k) => SNAPSHOT_TABLES[k].table === table);
  const key = /Key \(.+\)=\((.*)\) is duplicated/.exec(err.detail ?? "")?.[1];
  return new ReplicaDataError(
    `duplicate ${kind ?? "record"}${key === undefined ? "" : ` '${key}'`}`,
  );
}

// ---- the 外字 ----------------------------------------------------------------

/** The media's 外字 set, checked as the feed checks it (refused: SNAPSHOT_INVALID). */
function checkedGaiji(set: FeedGaijiSet | undefined): FeedGaijiSet | undefined {
  if (set === undefined) return undefined;
  const r = gaijiSetSchema.safeParse(set);
  if (!r.success) {
    throw new AspError("SNAPSHOT_INVALID", {
      reason: `gaiji: ${r.error.issues[0]?.message ?? "invalid"}`,
    });
  }
  return r.data;
}

/**
 * Fills the staging schema's 外字 at the switch: the media's set when it
 * carries every glyph of a version not older than the tenant's; otherwise
 * the tenant's own, with their version (tenants.gaiji_version), as the feed
 * last carried them. Returns the directory's column to set with it.
 */
async function stageGaiji(
  tx: Tx,
  staging: string,
  t: { schemaName: string; gaijiVersion: number },
  set: FeedGaijiSet | undefined,
): Promise<{ gaijiVersion?: number }> {
  if (set?.glyphs && set.version >= Number(t.gaijiVersion)) {
    await tx.execute(
      sql`insert into ${sql.raw(ident(staging))}.gaiji (code_point, path)
        select x.code_point, x.path from jsonb_to_recordset(${
        JSON.stringify(
          set.glyphs.map((g) => ({ code_point: g.codePoint, path: g.path })),
        )
      }::jsonb) as x(code_point integer, path text)`,
    );
    return { gaijiVersion: set.version };
  }
  await tx.execute(
    sql.raw(
      `INSERT INTO ${
        ident(staging)
      }.gaiji (code_point, path) SELECT code_point, path FROM ${
        ident(t.schemaName)
      }.gaiji`,
    ),
  );
  return {};
}

// ---- the load --------------------------------------------------------------

interface LoadContext {
  cipher: TenantCipher;
  policy: ProjectionPolicy;
  sink: CopySink;
  counts: Record<SnapshotKind, number>;
  /** Adds to the count of loaded records and reports progress. */
  loaded(n: number): void;
  /** A copy of the tenant's data key for this process's workers. */
  workerKey(): Uint8Array;
}

async function loadSnapshot(
  tenancy: Tenancy,
  code: string,
  snapshotSeq: number,
  opts: ApplySnapshotOptions,
  fill: (ctx: LoadContext) => Promise<void>,
): Promise<SnapshotResult> {
  if (!Number.isSafeInteger(snapshotSeq) || snapshotSeq < 0) {
    throw new AspError("SNAPSHOT_INVALID", {
      reason: "snapshot sequence must be a non-negative integer",
    });
  }
  const tenant = await tenancy.get(code);
  checkSeqAgainst(tenant, snapshotSeq, code);
  const gaijiSet = checkedGaiji(opts.gaiji);
  const database = tenancy.database;
  const cipher = tenancy.keyring.cipher(
    code,
    tenant.wrappedDataKey,
    tenant.masterKeyId,
  );
  const policy: ProjectionPolicy = {
    code,
    // As the registry's record printed it at the snapshot (media header).
    printMyNumber: opts.policy?.printMyNumberAtKiosk ?? tenant.printMyNumber,
  };
  const staging = `s_${code}_${snapshotSeq}_${
    crypto.randomUUID().replaceAll("-", "").slice(0, 8)
  }`;

  // Leftovers of an interrupted load of this tenant go first.
  const stale = rowsOf<{ nspname: string }>(
    await tenancy.db.execute(
      sql`select nspname from pg_namespace where nspname like ${`s\\_${code}\\_%`} or nspname like ${`o\\_${code}\\_%`}`,
    ),
  );
  for (const s of stale) {
    await database.exec(`DROP SCHEMA IF EXISTS ${ident(s.nspname)} CASCADE`);
  }

  await tenancy.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`CREATE SCHEMA ${ident(staging)}`));
    await applyTenantDdl(tx, staging, tenant.roleName, 0);
  });

  const copyBytes = opts.copyBytes ?? 8 * 1024 * 1024;
  const client = (tenancy.db as { $client?: unknown }).$client;
  const pool = Number((client as postgres.Sql)?.options?.max) || 1;
  const sink = database.kind === "postgres"
    ? postgresSink(client as postgres.Sql, staging, {
      copyBytes,
      timeoutMs: opts.copyTimeoutMs ?? 120_000,
      // Two statements at once, never more connections than the pool holds.
      lanes: Math.min(2, pool),
    })
    : pgliteSink(client as PGlite, staging, copyBytes);
  const counts = emptyCounts();
  let loaded = 0;
  let reported = 0;
  const every = opts.progressEvery ?? 10_000;
  try {
    const rebuild = await dropKeys(tenancy, staging);
    await fill({
      cipher,
      policy,
      sink,
      counts,
      workerKey: () =>
        tenancy.keyring.dataKeyForWorker(
          code,
          tenant.wrappedDataKey,
          tenant.masterKeyId,
        ),
      loaded(n) {
        loaded += n;
        if (opts.onProgress && loaded - reported >= every) {
          reported = loaded - loaded % every;
          opts.onProgress(reported);
        }
      },
    });
    await sink.finish();
    try {
      await sink.runGroups(rebuild);
    } catch (e) {
      throw duplicateError(e) ?? e;
    }
    await sink.close();
    opts.onProgress?.(loaded);
    await crashPoint("snapshot.staged");

    const old = `o_${code}_${
      crypto.randomUUID().replaceAll("-", "").slice(0, 8)
    }`;
    await tenancy.db.transaction(async (tx) => {
      const [t] = await tx.select().from(tenants).where(eq(tenants.code, code))
        .for("update");
      checkSeqAgainst(t, snapshotSeq, code);
      const gaijiColumns = await stageGaiji(tx, staging, t, gaijiSet);
      await tx.execute(
        sql.raw(`ALTER SCHEMA ${ident(t.schemaName)} RENAME TO ${ident(old)}`),
      );
      await tx.execute(
        sql.raw(
          `ALTER SCHEMA ${ident(staging)} RENAME TO ${ident(t.schemaName)}`,
        ),
      );
      await tx.execute(sql.raw(`DROP SCHEMA ${ident(old)} CASCADE`));
      await tx.update(tenants).set({
        snapshotSeq,
        appliedSeq: snapshotSeq,
        appliedAt: (opts.at ?? new Date()).toISOString(),
        headSeq: sql`greatest(${tenants.headSeq}, ${snapshotSeq})`,
        ...tenantPolicyColumns(opts.policy),
        ...gaijiColumns,
        syncState: "running",
        stopReason: null,
        stoppedAt: null,
      }).where(eq(tenants.code, code));
      await writeAudit(tx, {
        tenantCode: code,
        actor: opts.actor,
        action: "snapshot.switch",
        details: {
          snapshotSeq,
          previousSnapshotSeq: t.snapshotSeq,
          previousAppliedSeq: Number(t.appliedSeq),
          counts,
          ...(opts.manifestSha256
            ? { manifestSha256: opts.manifestSha256 }
            : {}),
        },
        at: opts.at,
      });
      await crashPoint("snapshot.switching");
    });
    await crashPoint("snapshot.switched");
    return { snapshotSeq, counts };
  } catch (err) {
    await sink.close().catch(() => {});
    await database.exec(`DROP SCHEMA IF EXISTS ${ident(staging)} CASCADE`)
      .catch(() => {});
    if (err instanceof ReplicaDataError) {
      throw new AspError("SNAPSHOT_INVALID", {
        tenant: code,
        reason: err.message,
      });
    }
    throw err;
  }
}

/**
 * Loads a full snapshot of a tenant and switches to it atomically.
 *
 * @example
 * ```ts ignore
 * await applySnapshot(tenancy, "401005", records, 1200, { actor: "media-import" });
 * ```
 */
export async function applySnapshot(
  tenancy: Tenancy,
  code: string,
  records: Iterable<SnapshotRecord> | AsyncIterable<SnapshotRecord>,
  snapshotSeq: number,
  opts: ApplySnapshotOptions,
): Promise<SnapshotResult> {
  return await loadSnapshot(tenancy, code, snapshotSeq, opts, async (ctx) => {
    const rows = {} as Record<SnapshotKind, CopyRows>;
    for (const k of SNAPSHOT_KINDS) rows[k] = new CopyRows(SNAPSHOT_TABLES[k]);
    const batch = opts.batchSize ?? 10_000;
    for await (const rec of records) {
      let values;
      try {
        values = snapshotCopyRow(ctx.cipher, ctx.policy, rec);
      } catch (e) {
        if (e instanceof ReplicaDataError) {
          const n = Object.values(ctx.counts).reduce((a, b) => a + b, 0) + 1;
          throw new ReplicaDataError(`record ${n}: ${e.message}`);
        }
        throw e;
      }
      const r = rows[rec.kind];
      r.add(values);
      ctx.counts[rec.kind]++;
      ctx.loaded(1);
      if (r.rows >= batch) await ctx.sink.write(rec.kind, r.take());
    }
    for (const k of SNAPSHOT_KINDS) await ctx.sink.write(k, rows[k].take());
  });
}

/** Messages of ./snapshot_worker.ts. */
type WorkerReply =
  | {
    type: "rows";
    id: number;
    kind: SnapshotKind;
    records: number;
    bytes: Uint8Array;
  }
  | { type: "error"; id: number; name: string; message: string };

/** Jobs in flight per worker: one being encoded, one waiting. */
const PER_WORKER = 2;

function defaultWorkers(): number {
  return Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));
}

/**
 * Loads a full snapshot given as NDJSON chunks (e.g. verified chunks of a
 * media file) and switches to it atomically — only after the iterable
 * completed, so a source that throws at a bad chunk leaves the tenant as it
 * was. The records of each chunk are checked exactly as
 * {@linkcode applySnapshot} checks them.
 *
 * @example
 * ```ts ignore
 * await applySnapshotChunks(tenancy, "401005", readVerifiedChunks(media), 1200, {
 *   actor: "media-import",
 * });
 * ```
 */
export async function applySnapshotChunks(
  tenancy: Tenancy,
  code: string,
  chunks: AsyncIterable<SnapshotChunk>,
  snapshotSeq: number,
  opts: ApplySnapshotChunksOptions,
): Promise<SnapshotResult> {
  const workers = opts.workers ?? defaultWorkers();
  if (!Number.isSafeInteger(workers) || workers < 0 || workers > 16) {
    throw new RangeError(`workers must be 0–16, got ${workers}`);
  }
  return await loadSnapshot(tenancy, code, snapshotSeq, opts, async (ctx) => {
    const take = (c: SnapshotChunk, records: number) => {
      if (records !== c.records) {
        throw new ReplicaDataError(
          `a ${c.kind} chunk holds ${records} records, not ${c.records}`,
        );
      }
      ctx.counts[c.kind] += records;
      ctx.loaded(records);
    };
    if (workers === 0) {
      for await (const c of chunks) {
        const table = SNAPSHOT_TABLES[c.kind];
        if (!table) throw new ReplicaDataError(`unknown kind '${c.kind}'`);
        const rows = new CopyRows(table, c.ndjson.length + 4096);
        take(c, encodeNdjson(rows, ctx.cipher, ctx.policy, c.kind, c.ndjson));
        await ctx.sink.write(c.kind, rows.take());
      }
      return;
    }
    await withWorkers(
      workers,
      ctx.workerKey(),
      ctx.policy,
      async (submit) => {
        for await (const c of chunks) {
          if (!SNAPSHOT_TABLES[c.kind]) {
            throw new ReplicaDataError(`unknown kind '${c.kind}'`);
          }
          await submit(c, (reply) => {
            take(c, reply.records);
            return ctx.sink.write(c.kind, reply.bytes);
          });
        }
      },
    );
  });
}

type Submit = (
  chunk: SnapshotChunk,
  done: (reply: Extract<WorkerReply, { type: "rows" }>) => Promise<void> | void,
) => Promise<void>;

/**
 * Runs `body` with a pool of snapshot workers; `submit` resolves once the
 * chunk is handed to a worker with room. Resolves after every reply was
 * handled; the first failure (a worker's or a handler's) rejects.
 */
async function withWorkers(
  n: number,
  dataKey: Uint8Array,
  policy: ProjectionPolicy,
  body: (submit: Submit) => Promise<void>,
): Promise<void> {
  const pool = Array.from({ length: n }, () => ({
    worker: new Worker(new URL("./snapshot_worker.ts", import.meta.url).href, {
      type: "module",
    }),
    busy: 0,
  }));
  const handlers = new Map<number, Parameters<Submit>[1]>();
  let nextId = 0;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const kick = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const handling = new Set<Promise<void>>();
  const fail = (e: unknown) => {
    failure ??= e;
    kick();
  };
  try {
    for (const p of pool) {
      p.worker.postMessage({
        type: "init",
        code: policy.code,
        dataKey: new Uint8Array(dataKey),
        printMyNumber: policy.printMyNumber,
      });
      p.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        const m = e.data;
        p.busy--;
        const done = handlers.get(m.id);
        handlers.delete(m.id);
        if (m.type === "error") {
          fail(
            m.name === "ReplicaDataError"
              ? new ReplicaDataError(m.message)
              : new Error(`Snapshot worker failed: ${m.message}`),
          );
          return;
        }
        try {
          const r = done?.(m);
          if (r) {
            const h = r.catch(fail).finally(() => {
              handling.delete(h);
              kick();
            });
            handling.add(h);
          }
        } catch (err) {
          fail(err);
        }
        kick();
      };
      p.worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        fail(new Error(`Snapshot worker failed: ${e.message}`));
      };
    }
    dataKey.fill(0);
    const submit: Submit = async (chunk, done) => {
      for (;;) {
        if (failure) throw failure;
        // Room in a worker, and the database keeping up with what came back.
        const p = pool.reduce((a, b) => (b.busy < a.busy ? b : a));
        if (p.busy < PER_WORKER && handling.size < n) {
          const id = nextId++;
          handlers.set(id, done);
          p.busy++;
          let bytes = chunk.ndjson;
          if (
            bytes.byteOffset !== 0 ||
            bytes.byteLength !== bytes.buffer.byteLength
          ) {
            bytes = bytes.slice(); // transfer exactly this chunk
          }
          p.worker.postMessage(
            { type: "chunk", id, kind: chunk.kind, ndjson: bytes },
            [bytes.buffer as ArrayBuffer],
          );
          return;
        }
        await new Promise<void>((r) => (wake = r));
      }
    };
    await body(submit);
    while (!failure && (handlers.size || handling.size)) {
      await new Promise<void>((r) => (wake = r));
    }
    if (failure) throw failure;
  } finally {
    dataKey.fill(0);
    for (const p of pool) p.worker.terminate();
  }
}
