/**
 * The portal's decode pool: scans are decoded in Web Workers
 * (decode_worker.ts), one per core by default, so one portal process uses
 * every core and the main thread stays free for pages, the ledger and the
 * audit.
 *
 * Two priority classes share the workers: `form` (a person at the upload
 * page) and `api` (a bank's bulk verification). A free worker always takes
 * the oldest waiting `form` job before any `api` job, so a bank's batch
 * cannot make a person wait behind it; each class has its own queue bound,
 * and a job beyond it is refused at once (`busy`, the portal's 503 BUSY with
 * Retry-After) rather than held.
 *
 * A job that runs longer than the timeout, or whose worker crashes, fails
 * alone (`timeout`, `crashed`): the worker is terminated and replaced, and
 * the next job runs on the new one. `close()` stops every worker and fails
 * what is still waiting (`closed`).
 *
 * @module
 */
import type { ScanVerification } from "../../lib/backside/decode_scan.ts";
import type { ContentKey } from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { type Logger, silentLogger } from "../../lib/service/logger.ts";
import type { FromDecodeWorker } from "./decode_protocol.ts";

/** The two priority classes: browser uploads, then banks' API calls. */
export type DecodeChannel = "form" | "api";

/** Why a job got no decode result. */
export type DecodeProblem =
  /** Its class's queue was full. */
  | "busy"
  /** The pool was closed before the job ran or finished. */
  | "closed"
  /** Its worker crashed while running it. */
  | "crashed"
  /** It ran longer than the job timeout; its worker was replaced. */
  | "timeout"
  /** `decodeScan` threw on it (the worker carries on). */
  | "failed";

/** A job's outcome. */
export type PoolDecodeOutcome =
  | { ok: true; scan: ScanVerification }
  | { ok: false; problem: DecodeProblem; error?: string };

/** Options of {@linkcode createDecodePool}. */
export interface DecodePoolOptions {
  /** The center's published public signing keys. */
  keyList: KeyList;
  /** Content keys the portal may decrypt with. */
  decryptionKeys: ReadonlyArray<ContentKey>;
  /** Workers (default `navigator.hardwareConcurrency`). */
  workers?: number;
  /** Jobs waiting per class (default form 8, api 16). */
  maxQueue?: Partial<Record<DecodeChannel, number>>;
  /** A job running longer is stopped and its worker replaced (default 30 000 ms). */
  jobTimeoutMs?: number;
  /** How long a new worker may take to load the decoder (default 60 000 ms). */
  startTimeoutMs?: number;
  /** Render the reduced front in the worker at this width; none when absent. */
  frontWidthPx?: number;
  logger?: Logger;
  /** The worker module (default decode_worker.ts); tests give one that misbehaves. */
  workerUrl?: string | URL;
}

/** What the pool is doing, for tests and operators. */
export interface DecodePoolStats {
  workers: number;
  busy: number;
  queued: Record<DecodeChannel, number>;
  /** Workers replaced after a crash or a timeout since the start. */
  replaced: number;
  completed: number;
}

/** The pool. */
export interface DecodePool {
  /** The job timeout, ms. */
  readonly jobTimeoutMs: number;
  /** Workers in the pool (how many pages of one upload may decode at once). */
  readonly workers?: number;
  /**
   * Decodes a scan (or one page of it); its bytes are transferred to a
   * worker (or copied when they are a view).
   */
  decode(
    bytes: Uint8Array,
    options: PoolDecodeOptions,
  ): Promise<PoolDecodeOutcome>;
  stats(): DecodePoolStats;
  /** Stops every worker; waiting and running jobs fail as `closed`. */
  close(): Promise<void>;
}

/** Options of one {@linkcode DecodePool.decode}. */
export interface PoolDecodeOptions {
  channel: DecodeChannel;
  maxInputPixels?: number;
  /** Only this page (1-based) of a PDF or multi-page TIFF. */
  page?: number;
}

interface Job {
  id: number;
  bytes: Uint8Array;
  maxInputPixels?: number;
  page?: number;
  resolve(outcome: PoolDecodeOutcome): void;
}

/** One worker's place in the pool; its worker is replaced in place. */
interface Slot {
  index: number;
  worker?: Worker;
  ready: boolean;
  running?: { job: Job; timer: ReturnType<typeof setTimeout> };
  startTimer?: ReturnType<typeof setTimeout>;
  /** Settles the start (first start: createDecodePool waits on it). */
  started?: { resolve(): void; reject(e: Error): void };
}

interface PoolState {
  readonly options: DecodePoolOptions;
  readonly workerUrl: string;
  readonly jobTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly maxQueue: Record<DecodeChannel, number>;
  readonly logger: Logger;
  readonly slots: Slot[];
  readonly queues: Record<DecodeChannel, Job[]>;
  /** Restarts waiting after a failed start. */
  readonly restarts: Set<ReturnType<typeof setTimeout>>;
  nextId: number;
  replaced: number;
  completed: number;
  closed: boolean;
}

/** Delay before starting a worker again after a failed start. */
const RESTART_DELAY_MS = 1000;

/** Starts (or restarts) the worker of a slot. */
function spawn(st: PoolState, slot: Slot): void {
  const worker = new Worker(st.workerUrl, { type: "module" });
  slot.worker = worker;
  slot.ready = false;
  worker.onmessage = (e: MessageEvent<FromDecodeWorker>) =>
    onMessage(st, slot, worker, e.data);
  worker.onerror = (e: ErrorEvent) => {
    // Handled here: an unhandled worker error would end the whole process.
    e.preventDefault();
    onFailure(st, slot, worker, "crashed", e.message);
  };
  worker.onmessageerror = () =>
    onFailure(st, slot, worker, "crashed", "unreadable message");
  slot.startTimer = setTimeout(
    () =>
      onFailure(
        st,
        slot,
        worker,
        "crashed",
        `not ready after ${st.startTimeoutMs} ms`,
      ),
    st.startTimeoutMs,
  );
  worker.postMessage({
    type: "init",
    keyList: st.options.keyList,
    decryptionKeys: st.options.decryptionKeys,
    frontWidthPx: st.options.frontWidthPx,
  });
}

function onMessage(
  st: PoolState,
  slot: Slot,
  worker: Worker,
  msg: FromDecodeWorker,
): void {
  if (slot.worker !== worker) return;
  switch (msg.type) {
    case "ready":
      clearTimeout(slot.startTimer);
      slot.ready = true;
      slot.started?.resolve();
      slot.started = undefined;
      dispatch(st);
      return;
    case "init-failed":
      onFailure(st, slot, worker, "crashed", msg.error);
      return;
    case "done":
    case "failed": {
      const running = slot.running;
      if (!running || running.job.id !== msg.id) return;
      clearTimeout(running.timer);
      slot.running = undefined;
      st.completed++;
      running.job.resolve(
        msg.type === "done"
          ? { ok: true, scan: msg.scan }
          : { ok: false, problem: "failed", error: msg.error },
      );
      dispatch(st);
      return;
    }
    default: {
      const _: never = msg;
    }
  }
}

/** A worker crashed, hung or could not start: fail its job, replace it. */
function onFailure(
  st: PoolState,
  slot: Slot,
  worker: Worker,
  problem: "crashed" | "timeout",
  error: string,
): void {
  if (slot.worker !== worker) return;
  worker.terminate();
  slot.worker = undefined;
  clearTimeout(slot.startTimer);
  const wasReady = slot.ready;
  slot.ready = false;
  const running = slot.running;
  slot.running = undefined;
  if (running) {
    clearTimeout(running.timer);
    running.job.resolve({ ok: false, problem, error });
  }
  if (st.closed) return;
  if (slot.started) {
    // The first start failed: createDecodePool fails.
    slot.started.reject(
      new Error(`Decode worker ${slot.index} did not start: ${error}`),
    );
    slot.started = undefined;
    return;
  }
  st.replaced++;
  st.logger.warn("decode worker replaced", {
    worker: slot.index,
    problem,
    error: error.slice(0, 500),
    ...(running ? { jobId: running.job.id } : {}),
  });
  if (wasReady) {
    spawn(st, slot);
    return;
  }
  // It failed while starting: wait a little before trying again.
  const timer = setTimeout(() => {
    st.restarts.delete(timer);
    if (!st.closed) spawn(st, slot);
  }, RESTART_DELAY_MS);
  st.restarts.add(timer);
}

/** The bytes to transfer: the caller's own buffer, or a copy of a view. */
function transferable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? bytes as Uint8Array<ArrayBuffer> : bytes.slice();
}

/** Hands a job to a free worker and starts its timeout. */
function run(st: PoolState, slot: Slot, job: Job): void {
  const worker = slot.worker!;
  const bytes = transferable(job.bytes);
  const timer = setTimeout(
    () =>
      onFailure(
        st,
        slot,
        worker,
        "timeout",
        `job ran longer than ${st.jobTimeoutMs} ms`,
      ),
    st.jobTimeoutMs,
  );
  slot.running = { job, timer };
  try {
    worker.postMessage({
      type: "job",
      id: job.id,
      bytes,
      maxInputPixels: job.maxInputPixels,
      ...(job.page !== undefined ? { page: job.page } : {}),
    }, [bytes.buffer]);
  } catch (e) {
    clearTimeout(timer);
    slot.running = undefined;
    job.resolve({ ok: false, problem: "failed", error: String(e) });
  }
}

/** Free workers take waiting jobs: every `form` job before any `api` job. */
function dispatch(st: PoolState): void {
  for (const slot of st.slots) {
    if (!slot.ready || slot.running) continue;
    const job = st.queues.form.shift() ?? st.queues.api.shift();
    if (!job) return;
    run(st, slot, job);
  }
}

function hasFreeWorker(st: PoolState): boolean {
  return st.slots.some((s) => s.ready && !s.running);
}

/** Queues a job (or refuses it when its class's queue is full). */
function decode(
  st: PoolState,
  bytes: Uint8Array,
  options: PoolDecodeOptions,
): Promise<PoolDecodeOutcome> {
  if (st.closed) return Promise.resolve({ ok: false, problem: "closed" });
  const queue = st.queues[options.channel];
  if (!hasFreeWorker(st) && queue.length >= st.maxQueue[options.channel]) {
    return Promise.resolve({ ok: false, problem: "busy" });
  }
  return new Promise((resolve) => {
    queue.push({
      id: st.nextId++,
      bytes,
      maxInputPixels: options.maxInputPixels,
      page: options.page,
      resolve,
    });
    dispatch(st);
  });
}

function stats(st: PoolState): DecodePoolStats {
  return {
    workers: st.slots.length,
    busy: st.slots.filter((s) => s.running).length,
    queued: { form: st.queues.form.length, api: st.queues.api.length },
    replaced: st.replaced,
    completed: st.completed,
  };
}

function close(st: PoolState): Promise<void> {
  st.closed = true;
  for (const t of st.restarts) clearTimeout(t);
  st.restarts.clear();
  for (const q of [st.queues.form, st.queues.api]) {
    for (const job of q.splice(0)) {
      job.resolve({ ok: false, problem: "closed" });
    }
  }
  for (const slot of st.slots) {
    clearTimeout(slot.startTimer);
    slot.worker?.terminate();
    slot.worker = undefined;
    slot.ready = false;
    if (slot.running) {
      clearTimeout(slot.running.timer);
      slot.running.job.resolve({ ok: false, problem: "closed" });
      slot.running = undefined;
    }
    slot.started?.reject(new Error("Decode pool closed while starting"));
    slot.started = undefined;
  }
  return Promise.resolve();
}

function atLeast(
  name: string,
  v: number | undefined,
  def: number,
  min: number,
): number {
  const n = v ?? def;
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  }
  return n;
}

/**
 * Starts the pool; resolves once every worker has loaded the decoder, and
 * fails (stopping them all) when one cannot.
 *
 * @example
 * ```ts ignore
 * const pool = await createDecodePool({ keyList, decryptionKeys: [contentKey],
 *   workers: 2, frontWidthPx: 760 });
 * const out = await pool.decode(bytes, { channel: "api" });
 * await pool.close();
 * ```
 */
export async function createDecodePool(
  options: DecodePoolOptions,
): Promise<DecodePool> {
  const workers = atLeast(
    "workers",
    options.workers,
    navigator.hardwareConcurrency || 1,
    1,
  );
  const st: PoolState = {
    options,
    workerUrl: new URL(
      options.workerUrl ?? new URL("./decode_worker.ts", import.meta.url),
    ).href,
    jobTimeoutMs: atLeast("jobTimeoutMs", options.jobTimeoutMs, 30_000, 1),
    startTimeoutMs: atLeast(
      "startTimeoutMs",
      options.startTimeoutMs,
      60_000,
      1,
    ),
    maxQueue: {
      form: atLeast("maxQueue.form", options.maxQueue?.form, 8, 0),
      api: atLeast("maxQueue.api", options.maxQueue?.api, 16, 0),
    },
    logger: options.logger ?? silentLogger(),
    slots: [],
    queues: { form: [], api: [] },
    restarts: new Set(),
    nextId: 1,
    replaced: 0,
    completed: 0,
    closed: false,
  };
  const starts: Promise<void>[] = [];
  for (let index = 0; index < workers; index++) {
    const slot: Slot = { index, ready: false };
    starts.push(
      new Promise<void>((resolve, reject) => {
        slot.started = { resolve, reject };
      }),
    );
    st.slots.push(slot);
    spawn(st, slot);
  }
  try {
    await Promise.all(starts);
  } catch (e) {
    await close(st);
    await Promise.allSettled(starts);
    throw e;
  }
  return {
    jobTimeoutMs: st.jobTimeoutMs,
    workers: st.slots.length,
    decode: (bytes, opts) => decode(st, bytes, opts),
    stats: () => stats(st),
    close: () => close(st),
  };
}
