/**
 * The ASP as the target of an initial-load media file: its snapshot loader
 * (staging + atomic switch) and its audit log, for lib/media's
 * `importMedia`.
 *
 * The switch's audit record (`snapshot.switch`) carries the file's manifest
 * digest, in the switch's own transaction; with the `media.destroyed`
 * records this tells a file whose snapshot went live but whose destruction
 * never happened (the import was killed in between) from a replay.
 *
 * @module
 */
import { and, eq, sql } from "drizzle-orm";
import { auditLog } from "../../db/asp/schema.ts";
import type {
  MediaAuditRecord,
  SnapshotLoader,
} from "../../lib/media/import.ts";
import { applySnapshot, applySnapshotChunks } from "./snapshot.ts";
import { type Tenancy, writeAudit } from "./tenancy.ts";

/**
 * The ASP's snapshot loader and audit writer over a tenancy.
 *
 * @example
 * ```ts ignore
 * const { loader, audit } = aspMediaTarget(tenancy, { actor: "media-import" });
 * await importMedia(path, { ...keys, loader, audit });
 * ```
 */
export function aspMediaTarget(
  tenancy: Tenancy,
  opts: {
    actor: string;
    onProgress?: (loaded: number) => void;
    /** Workers sealing records (default: one per core). */
    workers?: number;
  },
): { loader: SnapshotLoader; audit: (r: MediaAuditRecord) => Promise<void> } {
  /** Audit records of `tenant` with `action` naming the file `manifestSha256`. */
  const recorded = async (
    tenant: string,
    action: string,
    manifestSha256: string,
    outcome = "ok",
  ) =>
    (await tenancy.db.select({ id: auditLog.id }).from(auditLog).where(and(
      eq(auditLog.tenantCode, tenant),
      eq(auditLog.action, action),
      eq(auditLog.outcome, outcome),
      sql`${auditLog.details}->>'manifestSha256' = ${manifestSha256}`,
    )).limit(1)).length > 0;
  return {
    loader: {
      applySnapshot: (tenant, records, snapshotSeq, source) =>
        applySnapshot(tenancy, tenant, records, snapshotSeq, {
          actor: opts.actor,
          onProgress: opts.onProgress,
          progressEvery: 5000,
          manifestSha256: source?.manifestSha256,
          policy: source?.policy,
          gaiji: source?.gaiji,
        }),
      // One pass: chunks are staged as they are verified; the switch waits for the last.
      applySnapshotChunks: (tenant, chunks, snapshotSeq, source) =>
        applySnapshotChunks(tenancy, tenant, chunks, snapshotSeq, {
          actor: opts.actor,
          onProgress: opts.onProgress,
          progressEvery: 5000,
          workers: opts.workers,
          manifestSha256: source?.manifestSha256,
          policy: source?.policy,
          gaiji: source?.gaiji,
        }),
      async currentSnapshotSeq(tenant) {
        const t = await tenancy.get(tenant);
        return t.snapshotSeq === null ? null : Number(t.snapshotSeq);
      },
      async pendingDestruction(tenant, snapshotSeq, manifestSha256) {
        const t = await tenancy.get(tenant);
        if (t.snapshotSeq === null || Number(t.snapshotSeq) !== snapshotSeq) {
          return false;
        }
        // The manifest names the sequence, and switches only go forward:
        // a switch from this file is the live snapshot's.
        return await recorded(tenant, "snapshot.switch", manifestSha256) &&
          !await recorded(tenant, "media.destroyed", manifestSha256);
      },
    },
    audit: (r) =>
      writeAudit(tenancy.db, {
        tenantCode: r.tenant,
        actor: opts.actor,
        action: r.action,
        outcome: r.outcome,
        details: r.details,
      }),
  };
}
