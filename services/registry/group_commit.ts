/**
 * Group commit: items submitted for one key (a municipality) while a group
 * of that key is being committed wait in a queue; as soon as that group is
 * done, the leader takes up to `maxGroup` of them and commits them together
 * with ONE call of `run` (one transaction on the database, one WAL flush),
 * then answers each item from its own outcome. Nothing is answered before
 * `run` has returned, i.e. before its transaction committed; an item whose
 * outcome is an error gets that error alone, the others their values; when
 * `run` itself fails, every item of the group gets that failure.
 *
 * Items of one key are taken in submission order and `run` is given them in
 * that order; one group of a key is in flight at a time, so groups of a key
 * commit in order. Keys are independent. On a single connection (PGlite)
 * groups form the same way, they just run one after another.
 *
 * @module
 */

/** One item's outcome in a group: its value, or the error it alone failed with. */
export type GroupOutcome<O> =
  | { ok: true; value: O }
  | { ok: false; error: unknown };

/** Options of {@linkcode createGroupCommitter}. */
export interface GroupCommitterOptions<I, O> {
  /**
   * Commits a group (in one transaction) and returns one outcome per item,
   * in the items' order. Throwing fails the whole group.
   */
  run(key: string, items: I[]): Promise<GroupOutcome<O>[]>;
  /** Most items per group (default {@linkcode DEFAULT_MAX_GROUP}). */
  maxGroup?: number;
}

/** Counts of groups by size, as committed so far. */
export type GroupSizes = ReadonlyMap<number, number>;

/** A per-key batcher of commits. */
export interface GroupCommitter<I, O> {
  /** Queues an item; resolves with its value once its group committed, or rejects with its own error. */
  submit(key: string, item: I): Promise<O>;
  /** Items of a key waiting for a group (not counting the group in flight). */
  waiting(key: string): number;
  /**
   * Calls `listener(size, key)` as each group is taken; a listener added
   * again under the same name replaces the previous one.
   */
  onGroup(name: string, listener: (size: number, key: string) => void): void;
  /** Groups taken so far, by size. */
  sizes(): GroupSizes;
}

/**
 * Most events per group: each event runs in its own subtransaction, and
 * PostgreSQL caches at most 64 subtransaction ids per backend before other
 * backends' snapshots must look them up (subxid overflow), so stay below.
 */
export const DEFAULT_MAX_GROUP = 32;

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

interface Lane<I, O> {
  queue: Pending<I, O>[];
  leading: boolean;
}

/**
 * Creates a group committer.
 *
 * @example
 * ```ts
 * const gc = createGroupCommitter<number, number>({
 *   run: (_key, items) => Promise.resolve(items.map((n) => ({ ok: true, value: n * 2 }))),
 * });
 * const [a, b] = await Promise.all([gc.submit("401005", 1), gc.submit("401005", 2)]);
 * console.log(a, b); // 2 4
 * ```
 */
export function createGroupCommitter<I, O>(
  opts: GroupCommitterOptions<I, O>,
): GroupCommitter<I, O> {
  const maxGroup = Math.max(1, opts.maxGroup ?? DEFAULT_MAX_GROUP);
  const lanes = new Map<string, Lane<I, O>>();
  const listeners = new Map<string, (size: number, key: string) => void>();
  const sizes = new Map<number, number>();

  /** Runs one group and answers each of its items. */
  async function commitGroup(key: string, group: Pending<I, O>[]) {
    sizes.set(group.length, (sizes.get(group.length) ?? 0) + 1);
    for (const l of listeners.values()) {
      try {
        l(group.length, key);
      } catch {
        // A metric's failure must not fail the commit.
      }
    }
    let outcomes: GroupOutcome<O>[];
    try {
      outcomes = await opts.run(key, group.map((p) => p.item));
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i];
      if (!o) p.reject(new Error(`group commit: no outcome for item ${i}`));
      else if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }

  /** The leader: takes groups from the lane's queue until it is empty. */
  async function lead(key: string, lane: Lane<I, O>) {
    lane.leading = true;
    try {
      while (lane.queue.length) {
        await commitGroup(key, lane.queue.splice(0, maxGroup));
      }
    } finally {
      lane.leading = false;
      if (lane.queue.length) lead(key, lane);
      else lanes.delete(key);
    }
  }

  return {
    submit(key, item) {
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, lane = { queue: [], leading: false });
      const done = new Promise<O>((resolve, reject) =>
        lane!.queue.push({ item, resolve, reject })
      );
      if (!lane.leading) lead(key, lane);
      return done;
    },
    waiting: (key) => lanes.get(key)?.queue.length ?? 0,
    onGroup: (name, listener) => void listeners.set(name, listener),
    sizes: () => new Map(sizes),
  };
}
