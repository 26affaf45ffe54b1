/**
 * The ASP as the target of an initial-load media file: its snapshot loader
 * (staging + atomic switch) and its audit log, for lib/media's
 * `importMedia`.
 *
 * @module
 */
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
 * ```ts
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
  return {
    loader: {
      applySnapshot: (tenant, records, snapshotSeq) =>
        applySnapshot(tenancy, tenant, records, snapshotSeq, {
          actor: opts.actor,
          onProgress: opts.onProgress,
          progressEvery: 5000,
        }),
      // One pass: chunks are staged as they are verified; the switch waits for the last.
      applySnapshotChunks: (tenant, chunks, snapshotSeq) =>
        applySnapshotChunks(tenancy, tenant, chunks, snapshotSeq, {
          actor: opts.actor,
          onProgress: opts.onProgress,
          progressEvery: 5000,
          workers: opts.workers,
        }),
      async currentSnapshotSeq(tenant) {
        const t = await tenancy.get(tenant);
        return t.snapshotSeq === null ? null : Number(t.snapshotSeq);
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
