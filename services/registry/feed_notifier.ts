/**
 * Wakes long-polling feed readers when an event commits in this process;
 * readers also re-check on a short timer, so events written by other
 * processes (seed, another instance) are seen too.
 *
 * @module
 */

/** Signals new events per municipality. */
export interface FeedNotifier {
  /** Called after an event commits. */
  notify(municipalityCode: string): void;
  /** Resolves on the next notify for the code, or after `ms`. */
  wait(
    municipalityCode: string,
    ms: number,
    signal?: AbortSignal,
  ): Promise<void>;
}

/**
 * Creates an in-process notifier.
 *
 * @example
 * ```ts
 * const n = createFeedNotifier();
 * setTimeout(() => n.notify("401005"), 10);
 * await n.wait("401005", 1000);
 * ```
 */
export function createFeedNotifier(): FeedNotifier {
  const waiters = new Map<string, Set<() => void>>();
  return {
    notify(code) {
      const set = waiters.get(code);
      if (!set) return;
      waiters.delete(code);
      for (const w of set) w();
    },
    wait(code, ms, signal) {
      return new Promise<void>((resolve) => {
        let set = waiters.get(code);
        if (!set) waiters.set(code, set = new Set());
        const done = () => {
          clearTimeout(timer);
          set!.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        set.add(done);
        signal?.addEventListener("abort", done);
      });
    },
  };
}
