/**
 * The ASP side of the initial load: verify the whole file, refuse a replay,
 * hand the records to the snapshot loader (which stages them and switches
 * the tenant atomically), then destroy the file and record the destruction.
 * A refused file is left in place (it is evidence) and the refusal audited;
 * the tenant is untouched.
 *
 * A loader with `applySnapshotChunks` gets the file in one pass: signature,
 * manifest and recipient are checked first, then each chunk is handed over
 * as soon as it passed its checks, and the iteration completes only once
 * every chunk and count is verified. Such a loader stages while the file is
 * still being verified and switches only after the iteration completed, so
 * nothing of a bad file ever becomes visible. Other loaders get the records
 * after a complete verification pass.
 *
 * A run killed after the switch but before the destruction leaves the file
 * behind with its snapshot already live. Run again, such a file is not a
 * replay: when the loader confirms (`pendingDestruction`) that the live
 * snapshot was switched in from this very file (same signed manifest) and
 * its destruction was never recorded, the import loads nothing, audits
 * `media.import.resumed`, and finishes the destruction.
 *
 * @module
 */
import { crashPoint } from "../crash_point.ts";
import {
  destroyFile,
  type DestroyOptions,
  type DestructionRecord,
} from "./destroy.ts";
import { MediaError, type MediaHeader, type MediaRecord } from "./format.ts";
import {
  openMedia,
  readMedia,
  readVerifiedChunks,
  type VerifiedChunk,
  type VerifiedMedia,
  verifyMedia,
  type VerifyMediaOptions,
} from "./reader.ts";

/** Which media file a snapshot comes from (recorded with the switch). */
export interface SnapshotSource {
  /** SHA-256 of the file's signed manifest. */
  manifestSha256: string;
  /** The municipality's kiosk policy the header carried (the replica follows it). */
  policy?: MediaHeader["policy"];
  /** The municipality's 外字 the header carried (the replica loads them with the switch). */
  gaiji?: MediaHeader["gaiji"];
}

/** What loads a verified snapshot into the replica (the ASP's `applySnapshot`). */
export interface SnapshotLoader {
  /**
   * Loads every record and switches the tenant to `snapshotSeq` atomically,
   * or leaves it as it was and throws. The switch should record `source`
   * (see `pendingDestruction`).
   */
  applySnapshot(
    tenant: string,
    records: AsyncIterable<MediaRecord>,
    snapshotSeq: number,
    source?: SnapshotSource,
  ): Promise<unknown>;
  /**
   * Optional one-pass form: loads the chunks' NDJSON as they arrive. The
   * iterable throws at the first chunk or count that fails verification and
   * completes only after all passed; the loader must make nothing visible
   * before it completed (stage, then switch), and leave the tenant as it was
   * when it throws.
   */
  applySnapshotChunks?(
    tenant: string,
    chunks: AsyncIterable<VerifiedChunk>,
    snapshotSeq: number,
    source?: SnapshotSource,
  ): Promise<unknown>;
  /** The tenant's current snapshot sequence (null: never loaded); used to refuse a replay early. */
  currentSnapshotSeq?(tenant: string): Promise<number | null>;
  /**
   * True when the tenant's live snapshot `snapshotSeq` was switched in from
   * the file with this manifest and that file's destruction was never
   * recorded (an import killed between the switch and the destruction).
   * Without it, such a file is refused as a replay.
   */
  pendingDestruction?(
    tenant: string,
    snapshotSeq: number,
    manifestSha256: string,
  ): Promise<boolean>;
}

/** An audit record of the import (written for refusals as well as success). */
export interface MediaAuditRecord {
  tenant: string | null;
  action:
    | "media.import.refused"
    | "media.import.loaded"
    | "media.import.resumed"
    | "media.destroyed";
  outcome: "ok" | "refused" | "error";
  details: Record<string, unknown>;
}

/** Options of {@linkcode importMedia}. */
export interface ImportMediaOptions extends VerifyMediaOptions {
  loader: SnapshotLoader;
  /** Writes an audit record. */
  audit: (record: MediaAuditRecord) => Promise<void>;
  /** Called as records are handed to the loader. */
  onLoadProgress?: (p: { records: number; totalRecords: number }) => void;
  /**
   * Called once every check passed: before loading, or — with a one-pass
   * loader — once the last chunk and the counts are verified, before the
   * switch.
   */
  onVerified?: (verified: VerifiedMedia) => void;
  /** Passed to {@linkcode destroyFile}. */
  destroy?: DestroyOptions;
}

/** What an import did. */
export interface ImportResult {
  tenant: string;
  snapshotSeq: number;
  totalRecords: number;
  manifestSha256: string;
  /** What the loader returned (null when resumed). */
  loaded: unknown;
  /**
   * The snapshot was already live from this file (a run killed before the
   * destruction); nothing was loaded, only the destruction was finished.
   */
  resumed: boolean;
  destruction: DestructionRecord;
}

async function* counted(
  chunks: AsyncIterable<VerifiedChunk>,
  totalRecords: number,
  onProgress: ImportMediaOptions["onLoadProgress"],
): AsyncGenerator<VerifiedChunk> {
  let records = 0;
  let first = true;
  for await (const chunk of chunks) {
    records += chunk.records;
    onProgress?.({ records, totalRecords });
    yield chunk;
    if (first) {
      first = false;
      await crashPoint("media.verifying"); // the rest of the file unverified
    }
  }
}

async function* flatten(
  batches: AsyncIterable<MediaRecord[]>,
): AsyncGenerator<MediaRecord> {
  for await (const batch of batches) yield* batch;
}

/**
 * Verifies, loads, destroys and audits one media file.
 *
 * @example
 * ```ts ignore
 * const result = await importMedia("401005.media", {
 *   ...await aspMediaKeys(await readMediaKeyFiles("certs")),
 *   loader, audit: (r) => writeAudit(db, { tenantCode: r.tenant, actor: "media-import", ...r }),
 * });
 * ```
 */
export async function importMedia(
  path: string,
  opts: ImportMediaOptions,
): Promise<ImportResult> {
  const oneGo = opts.loader.applySnapshotChunks?.bind(opts.loader);
  let verified: VerifiedMedia;
  let resumed = false;
  try {
    // One pass: only what comes before the chunks; else the whole file now.
    verified = oneGo
      ? await openMedia(path, opts)
      : await verifyMedia(path, opts);
    const tenant = verified.municipalityCode;
    const current = await opts.loader.currentSnapshotSeq?.(tenant);
    if (
      current !== undefined && current !== null &&
      verified.snapshotSeq <= current
    ) {
      resumed = verified.snapshotSeq === current &&
        (await opts.loader.pendingDestruction?.(
          tenant,
          verified.snapshotSeq,
          verified.manifestSha256,
        ) ?? false);
      if (!resumed) {
        throw new MediaError(
          "MEDIA_REPLAYED",
          `Snapshot ${verified.snapshotSeq} is not newer than the replica's snapshot ${current}`,
          {
            snapshotSeq: verified.snapshotSeq,
            currentSnapshotSeq: current,
          },
        );
      }
    }
  } catch (e) {
    if (e instanceof MediaError) {
      await opts.audit({
        tenant: null,
        action: "media.import.refused",
        outcome: "refused",
        details: { path, code: e.code, reason: e.message, ...e.details },
      });
    }
    throw e;
  }
  const tenant = verified.municipalityCode;
  const source = {
    manifestSha256: verified.manifestSha256,
    policy: verified.header.policy,
    gaiji: verified.header.gaiji,
  };
  let loaded: unknown = null;
  try {
    if (resumed) {
      // Already live from this file: nothing to load, the destruction to finish.
    } else if (oneGo) {
      loaded = await oneGo(
        tenant,
        counted(
          readVerifiedChunks(verified, {
            onProgress: opts.onProgress,
            onVerified: () => opts.onVerified?.(verified),
          }),
          verified.manifest.totalRecords,
          opts.onLoadProgress,
        ),
        verified.snapshotSeq,
        source,
      );
    } else {
      opts.onVerified?.(verified);
      loaded = await opts.loader.applySnapshot(
        tenant,
        flatten(readMedia(verified, { onProgress: opts.onLoadProgress })),
        verified.snapshotSeq,
        source,
      );
    }
  } catch (e) {
    await opts.audit({
      tenant,
      action: "media.import.refused",
      outcome: e instanceof MediaError ? "refused" : "error",
      details: {
        path,
        snapshotSeq: verified.snapshotSeq,
        manifestSha256: verified.manifestSha256,
        code: (e as { code?: string }).code ?? null,
        reason: String((e as Error)?.message ?? e),
      },
    });
    throw e;
  }
  await opts.audit({
    tenant,
    action: resumed ? "media.import.resumed" : "media.import.loaded",
    outcome: "ok",
    details: {
      snapshotSeq: verified.snapshotSeq,
      counts: verified.manifest.counts,
      manifestSha256: verified.manifestSha256,
      createdAt: verified.header.createdAt,
      ...(resumed
        ? { path, reason: "snapshot already live from this file; destroying" }
        : {}),
    },
  });
  await crashPoint("media.loaded");
  const destruction = await destroyFile(path, opts.destroy);
  await opts.audit({
    tenant,
    action: "media.destroyed",
    outcome: destruction.unlinked ? "ok" : "error",
    details: {
      ...destruction,
      manifestSha256: verified.manifestSha256,
      snapshotSeq: verified.snapshotSeq,
    },
  });
  return {
    tenant,
    snapshotSeq: verified.snapshotSeq,
    totalRecords: verified.manifest.totalRecords,
    manifestSha256: verified.manifestSha256,
    loaded,
    resumed,
    destruction,
  };
}
