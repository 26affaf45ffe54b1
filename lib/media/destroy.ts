/**
 * Destroys a media file after import: overwrites every byte with random
 * data, forces it to the device, then unlinks it; returns what was done so
 * the caller can write it to its audit log.
 *
 * On copy-on-write or flash storage an overwrite in place does not reach
 * the physical blocks that held the old data; there the protection is the
 * encryption itself (the content key existed only wrapped for the ASP) and
 * the medium's own secure erase. The record says which method was used.
 *
 * @module
 */
import { type Clock, systemClock } from "../time/clock.ts";

/** What {@linkcode destroyFile} did, for the audit record. */
export interface DestructionRecord {
  path: string;
  /** Bytes overwritten (the file's length). */
  bytes: number;
  /** Overwrite passes made. */
  passes: number;
  method: "overwrite-random+fsync+unlink";
  /** fsync after the overwrite succeeded. */
  synced: boolean;
  /** The file is gone. */
  unlinked: boolean;
  /** SHA-256 of the file's first 64 KiB of random overwrite (shows the overwrite happened). */
  overwriteSample: string;
  startedAt: string;
  finishedAt: string;
}

/** Options of {@linkcode destroyFile}. */
export interface DestroyOptions {
  /** Overwrite passes (default 1, at most 7). */
  passes?: number;
  /** Called after the overwrite and fsync, before unlinking (tests inspect the bytes here). */
  beforeUnlink?: (path: string) => void | Promise<void>;
  /** Clock for the record. */
  clock?: Clock;
}

const BLOCK = 1024 * 1024;
const RANDOM_MAX = 65536; // crypto.getRandomValues limit per call

function fillRandom(buf: Uint8Array): void {
  for (let i = 0; i < buf.length; i += RANDOM_MAX) {
    crypto.getRandomValues(
      buf.subarray(i, Math.min(buf.length, i + RANDOM_MAX)),
    );
  }
}

async function syncDirectory(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch {
    // Best effort: not every platform lets a directory be fsynced.
  }
}

/**
 * Overwrites `path` with random bytes (same length), fsyncs, unlinks.
 *
 * @example
 * ```ts ignore
 * const record = await destroyFile("401005.media");
 * await audit(db, { action: "media.destroyed", details: record });
 * ```
 */
export async function destroyFile(
  path: string,
  opts: DestroyOptions = {},
): Promise<DestructionRecord> {
  const clock = opts.clock ?? systemClock;
  const passes = opts.passes ?? 1;
  if (!Number.isInteger(passes) || passes < 1 || passes > 7) {
    throw new RangeError(`passes must be 1..7, got ${passes}`);
  }
  const startedAt = clock.now().toISOString();
  const info = await Deno.lstat(path);
  if (!info.isFile) throw new TypeError(`Not a regular file: ${path}`);
  const size = info.size;
  const file = await Deno.open(path, { read: false, write: true });
  let sample = new Uint8Array(0);
  try {
    const buf = new Uint8Array(Math.min(BLOCK, Math.max(size, 1)));
    for (let p = 0; p < passes; p++) {
      await file.seek(0, Deno.SeekMode.Start);
      let off = 0;
      while (off < size) {
        const n = Math.min(buf.length, size - off);
        const chunk = buf.subarray(0, n);
        fillRandom(chunk);
        if (off === 0) sample = chunk.slice(0, Math.min(n, RANDOM_MAX));
        let w = 0;
        while (w < n) w += await file.write(chunk.subarray(w));
        off += n;
      }
      await file.sync();
    }
  } finally {
    file.close();
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", sample));
  await opts.beforeUnlink?.(path);
  await Deno.remove(path);
  await syncDirectory(path);
  let unlinked = false;
  try {
    await Deno.lstat(path);
  } catch (e) {
    unlinked = e instanceof Deno.errors.NotFound;
  }
  return {
    path,
    bytes: size,
    passes,
    method: "overwrite-random+fsync+unlink",
    synced: true,
    unlinked,
    overwriteSample: digest.toHex(),
    startedAt,
    finishedAt: clock.now().toISOString(),
  };
}
