/**
 * The initial load (and any later full reload) of a tenant: records in the
 * feed's shapes are projected, encrypted and COPY-loaded into a staging
 * schema; then one transaction swaps the staging schema in for the tenant's
 * schema and sets its snapshot and applied sequences. Until that commit the
 * tenant is exactly as it was; a snapshot not newer than the replica is
 * refused (replay).
 *
 * @module
 */
import { eq, sql } from "drizzle-orm";
import { tenants } from "../../db/asp/schema.ts";
import type { CopyValue } from "../../lib/db/database.ts";
import { AspError } from "./errors.ts";
import {
  BLOCK_COLUMNS,
  blockCopyRow,
  CARD_COLUMNS,
  cardCopyRow,
  HOUSEHOLD_COLUMNS,
  householdCopyRow,
  projectBlock,
  projectCard,
  projectHousehold,
  type ProjectionPolicy,
  projectResident,
  projectSeal,
  ReplicaDataError,
  RESIDENT_COLUMNS,
  residentCopyRow,
  SEAL_COLUMNS,
  sealCopyRow,
  type SnapshotRecord,
} from "./replica.ts";
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
  /** Called every `progressEvery` records with the count so far. */
  onProgress?: (loaded: number) => void;
  progressEvery?: number;
  /** Rows per COPY batch (default 10,000). */
  batchSize?: number;
  /** Longest one COPY batch may take (ms, default 300,000). */
  copyTimeoutMs?: number;
  /** Instant written to the audit record. */
  at?: Date;
}

/** What a snapshot load did. */
export interface SnapshotResult {
  snapshotSeq: number;
  counts: Record<SnapshotRecord["kind"], number>;
}

const TABLES: Record<
  SnapshotRecord["kind"],
  { table: string; columns: string[] }
> = {
  resident: { table: "residents", columns: RESIDENT_COLUMNS },
  household: { table: "households", columns: HOUSEHOLD_COLUMNS },
  seal: { table: "seals", columns: SEAL_COLUMNS },
  block: { table: "blocks", columns: BLOCK_COLUMNS },
  card: { table: "card_links", columns: CARD_COLUMNS },
};

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

/**
 * Loads a full snapshot of a tenant and switches to it atomically.
 *
 * @example
 * ```ts
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
  if (!Number.isSafeInteger(snapshotSeq) || snapshotSeq < 0) {
    throw new AspError("SNAPSHOT_INVALID", {
      reason: "snapshot sequence must be a non-negative integer",
    });
  }
  const tenant = await tenancy.get(code);
  checkSeqAgainst(tenant, snapshotSeq, code);
  const database = tenancy.database;
  const cipher = tenancy.keyring.cipher(
    code,
    tenant.wrappedDataKey,
    tenant.masterKeyId,
  );
  const policy: ProjectionPolicy = {
    code,
    printMyNumber: tenant.printMyNumber,
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

  const counts: SnapshotResult["counts"] = {
    resident: 0,
    household: 0,
    seal: 0,
    block: 0,
    card: 0,
  };
  const batchSize = opts.batchSize ?? 10_000;
  const buffers: Record<SnapshotRecord["kind"], CopyValue[][]> = {
    resident: [],
    household: [],
    seal: [],
    block: [],
    card: [],
  };
  const flush = async (kind: SnapshotRecord["kind"]) => {
    const rows = buffers[kind];
    if (!rows.length) return;
    buffers[kind] = [];
    // Watchdog: a failed COPY must fail the load, never hang it.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `COPY into ${staging}.${TABLES[kind].table} did not finish`,
            ),
          ),
        opts.copyTimeoutMs ?? 300_000,
      );
    });
    try {
      await Promise.race([
        database.copyRows(
          `${staging}.${TABLES[kind].table}`,
          TABLES[kind].columns,
          rows,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  // COPY must never meet a duplicate key: refuse it here with a clear reason.
  const seen: Record<SnapshotRecord["kind"], Set<string>> = {
    resident: new Set(),
    household: new Set(),
    seal: new Set(),
    block: new Set(),
    card: new Set(),
  };
  let loaded = 0;
  try {
    for await (const rec of records) {
      let row: CopyValue[];
      switch (rec?.kind) {
        case "resident":
          row = residentCopyRow(cipher, projectResident(rec.data, policy));
          break;
        case "household":
          row = householdCopyRow(projectHousehold(rec.data, policy));
          break;
        case "seal":
          row = sealCopyRow(cipher, projectSeal(rec.data, policy));
          break;
        case "block":
          row = blockCopyRow(cipher, projectBlock(rec.data, policy));
          break;
        case "card":
          row = cardCopyRow(projectCard(rec.data, policy));
          break;
        default:
          throw new ReplicaDataError(
            `record ${loaded + 1}: unknown kind '${
              String((rec as { kind?: unknown })?.kind)
            }'`,
          );
      }
      const key = String(row[0]);
      if (seen[rec.kind].has(key)) {
        throw new ReplicaDataError(
          `record ${loaded + 1}: duplicate ${rec.kind} '${key}'`,
        );
      }
      seen[rec.kind].add(key);
      buffers[rec.kind].push(row);
      counts[rec.kind]++;
      loaded++;
      if (buffers[rec.kind].length >= batchSize) await flush(rec.kind);
      if (opts.onProgress && loaded % (opts.progressEvery ?? 10_000) === 0) {
        opts.onProgress(loaded);
      }
    }
    for (const kind of Object.keys(buffers) as SnapshotRecord["kind"][]) {
      await flush(kind);
    }
    opts.onProgress?.(loaded);

    const old = `o_${code}_${
      crypto.randomUUID().replaceAll("-", "").slice(0, 8)
    }`;
    await tenancy.db.transaction(async (tx) => {
      const [t] = await tx.select().from(tenants).where(eq(tenants.code, code))
        .for("update");
      checkSeqAgainst(t, snapshotSeq, code);
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
        },
        at: opts.at,
      });
    });
    return { snapshotSeq, counts };
  } catch (err) {
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
