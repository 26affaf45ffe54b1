/**
 * What the registry's pulls from the center share — the checkpoint copies
 * (checkpoints.ts) and the 交付履歴 (issuances.ts): the refusal of a pull,
 * the refusal of an answer that is not a success, and the job that pulls at
 * start and then on an interval, one pull at a time.
 *
 * @module
 */

/**
 * The refusal of a pull from the center (what was stored before it stays);
 * each pull has its own subclass and codes. The name is the subclass's.
 */
export class CenterPullError extends Error {
  /** @param code What was wrong, e.g. `CENTER_ANSWER` (the subclass lists its codes). */
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Refuses an answer of the center whose status is not a success: discards
 * its body and throws `refusal` with code `CENTER_ANSWER` and the status.
 *
 * @example
 * ```ts ignore
 * await refuseFailedAnswer(res, CheckpointPullError);
 * const page = await res.json();
 * ```
 */
export async function refuseFailedAnswer(
  res: Response,
  refusal: new (code: string, message: string) => CenterPullError,
): Promise<void> {
  if (res.ok) return;
  await res.body?.cancel();
  throw new refusal("CENTER_ANSWER", `The center answered ${res.status}`);
}

/** A running pull job. */
export interface PullJob<A, R> {
  /** Pulls now (what each tick does); waits for a pull in progress first. */
  tick(arg?: A): Promise<R>;
  /** Stops the job and waits for a pull in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `pull` at start and then every `intervalMs` (0: on demand only), one
 * pull after another (a tick during a pull waits for it). A tick's failure
 * is its caller's; the timer's ticks drop theirs (`pull` logs what it
 * must).
 *
 * @example
 * ```ts ignore
 * const job = startPullJob(() => pullCheckpoints(deps), 60_000);
 * await job.stop();
 * ```
 */
export function startPullJob<A, R>(
  pull: (arg?: A) => Promise<R>,
  intervalMs: number,
): PullJob<A, R> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = (arg?: A) => {
    const job = running.then(() => pull(arg));
    running = job.catch(() => {});
    return job;
  };
  const first = intervalMs > 0
    ? setTimeout(() => tick().catch(() => {}), 0)
    : undefined;
  const timer = intervalMs > 0
    ? setInterval(() => tick().catch(() => {}), intervalMs)
    : undefined;
  return {
    tick,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
