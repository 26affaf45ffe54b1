/**
 * Delivery confirmations to the ASP nodes: once a document is released, the
 * node may delete the request's work data. Confirmations are grouped per
 * node and municipality over a short window (`windowMs`) and sent as one
 * signed, logged call (`POST /tenants/{code}/certificates/delivered`), so
 * under load a node gets one call per window instead of one per
 * certificate. With `windowMs` 0 every confirmation is its own call, sent
 * at once. A call carrying one confirmation carries its run's correlation
 * id; a grouped call has its own. Confirmations never delay or fail a
 * release: a failed call is
 * logged (the node's retention job removes work data that is never
 * confirmed); with `db` in the deps, an answer whose signature fails counts
 * toward the tenant's repeated-failure incident (incidents.ts), and the
 * node's stated build and configuration are checked like any answer's.
 *
 * @module
 */
import type { Logger } from "../../../lib/service/logger.ts";
import { deliveredManySchema } from "../../../lib/contracts/center_asp.ts";
import {
  AspAnswerRejected,
  type AspCallDeps,
  type AspNode,
  callAsp,
} from "./asp_directory.ts";
import type { Db } from "../../../lib/db/database.ts";
import { createMetrics } from "../../../lib/service/metrics.ts";
import type { FailurePolicy } from "./incidents.ts";
import { noteFailure } from "./issuance.ts";

/** Options of {@linkcode createDeliveryConfirmer}. */
export interface DeliveryConfirmerOptions {
  /** How long confirmations gather before one call, ms (0: one call each). */
  windowMs?: number;
  /** Most request ids per call (default 500). */
  maxBatch?: number;
  /** Deadline of one call, ms (default 5000). */
  timeoutMs?: number;
}

/** Confirms deliveries to the nodes. */
export interface DeliveryConfirmer {
  /**
   * Queues a confirmation; resolves once the call carrying it has ended
   * (successfully or not — it never rejects). `correlationId`: the run's,
   * for the logs.
   */
  confirm(
    node: AspNode,
    code: string,
    requestId: string,
    opts?: { correlationId?: string },
  ): Promise<void>;
  /** Sends everything queued now and waits for it. */
  flush(): Promise<void>;
}

interface Bucket {
  node: AspNode;
  code: string;
  ids: string[];
  correlationIds: (string | undefined)[];
  waiters: (() => void)[];
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Creates the confirmer of one center instance.
 *
 * @example
 * ```ts ignore
 * const deliveries = createDeliveryConfirmer({ messages, signer, clock, logger }, { windowMs: 250 });
 * void deliveries.confirm(node, "401005", requestId);
 * ```
 */
export function createDeliveryConfirmer(
  deps: AspCallDeps & {
    logger: Logger;
    /** Where failures are counted (absent: logged only). */
    db?: Db;
    failurePolicy?: FailurePolicy;
  },
  opts: DeliveryConfirmerOptions = {},
): DeliveryConfirmer {
  const windowMs = opts.windowMs ?? 0;
  const maxBatch = opts.maxBatch ?? 500;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const buckets = new Map<string, Bucket>();
  const inFlight = new Set<Promise<void>>();

  async function send(b: Bucket): Promise<void> {
    const one = b.ids.length === 1;
    const requestId = one ? b.ids[0] : `delivery-${crypto.randomUUID()}`;
    const correlationId = one ? b.correlationIds[0] : undefined;
    const log = deps.logger.child({
      correlationId: correlationId ?? requestId,
    });
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const a = await callAsp(deps, b.node, {
        method: "POST",
        path: `/tenants/${b.code}/certificates/delivered`,
        requestId,
        correlationId,
        body: { requestIds: b.ids },
        signal,
        municipalityCode: b.code,
      });
      const answer = a.status === 200
        ? deliveredManySchema.safeParse(a.body)
        : undefined;
      const notFound = answer?.data?.notFound;
      if (!answer?.success || notFound?.length) {
        log.warn("ASP did not confirm every delivery", {
          node: b.node.id,
          requestId,
          requestIds: b.ids,
          status: a.status,
          notFound,
        });
      }
    } catch (err) {
      log.warn("ASP delivery confirmation failed", {
        node: b.node.id,
        requestId,
        requestIds: b.ids,
        error: err,
      });
      if (deps.db && err instanceof AspAnswerRejected) {
        await noteFailure(
          {
            db: deps.db,
            clock: deps.clock,
            failurePolicy: deps.failurePolicy,
            metrics: deps.metrics ?? createMetrics(),
          },
          log,
          {
            kind: "ANSWER_SIGNATURE",
            municipalityCode: b.code,
            requestId,
            kioskId: "center",
            aspNode: b.node.id,
          },
        );
      }
    } finally {
      for (const w of b.waiters) w();
    }
  }

  function dispatch(key: string): void {
    const b = buckets.get(key);
    if (!b) return;
    buckets.delete(key);
    if (b.timer !== undefined) clearTimeout(b.timer);
    const p = send(b);
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  }

  return {
    confirm(node, code, requestId, o = {}) {
      return new Promise<void>((resolve) => {
        const key = `${node.id}\u0000${code}`;
        let b = buckets.get(key);
        if (!b) {
          b = { node, code, ids: [], correlationIds: [], waiters: [] };
          buckets.set(key, b);
          if (windowMs > 0) {
            b.timer = setTimeout(() => dispatch(key), windowMs);
          }
        }
        b.ids.push(requestId);
        b.correlationIds.push(o.correlationId);
        b.waiters.push(resolve);
        if (windowMs <= 0 || b.ids.length >= maxBatch) dispatch(key);
      });
    },
    async flush() {
      for (const key of [...buckets.keys()]) dispatch(key);
      await Promise.all([...inFlight]);
    },
  };
}
