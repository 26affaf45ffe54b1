/**
 * The household list of an authenticated kiosk session, so the applicant can
 * tick members by name: the session is checked as a certificate request
 * checks it (hours; this kiosk's, authenticated, recent; the card valid now;
 * the municipality not halted) and must not have been used for a
 * certificate yet — it is not used up by this. The card's ASP node is asked
 * with a signed, logged call (asp_directory.ts `callAsp`) and its answer is
 * parsed with the protocol (lib/contracts/center_asp.ts): only
 * `{ residentId, name, relationship }` per member, the applicant first, and
 * the municipality's household format (個票式 or 世帯連記式), passed on for
 * the kiosk's fee quote — left out when the node did not state it (a node
 * of an earlier build), which the kiosk takes as unknown.
 *
 * Privacy: the node lists every current member alike (services/asp
 * household.ts); the center passes the list on unchanged. A refusal of the
 * node (stale replica, the applicant under 15, moved out, …) is the same
 * refusal a certificate request would get, and a protected reason of the
 * applicant themself reaches the kiosk as the neutral code only
 * ({@linkcode forKiosk}), after the log has kept the specific one.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { rowsOf } from "../../../lib/db/database.ts";
import { aspHouseholdSchema } from "../../../lib/contracts/center_asp.ts";
import type { KioskHouseholdJson } from "../../../lib/contracts/kiosk_center.ts";
import { ContractError, parseMessage } from "../../../lib/contracts/wire.ts";
import { type Logger, safeError } from "../../../lib/service/logger.ts";
import { forKiosk, JlisError } from "../errors.ts";
import { AspAnswerRejected, callAsp } from "./asp_directory.ts";
import { aspRefusal, replicaMismatch } from "./asp_refusal.ts";
import { recordIncidentAndHalt } from "./incidents.ts";
import { assertOpen } from "./hours.ts";
import {
  DEFAULT_ISSUANCE_TIMEOUT_MS,
  DEFAULT_SESSION_WINDOW_MS,
  isAbort,
  type IssuanceDeps,
  noteFailure,
  whyRefused,
} from "./issuance.ts";

/** Options of {@linkcode sessionHousehold}. */
export interface HouseholdOptions {
  /** Aborts the call (the kiosk went away). */
  signal?: AbortSignal;
  /** The request's logger; default deps.logger. */
  logger?: Logger;
  /** The run's correlation id, sent on to the node. */
  correlationId?: string;
}

/**
 * The household list for a session of a kiosk, or a JlisError as the kiosk
 * may see it (protected reasons as the neutral code).
 *
 * @example
 * ```ts ignore
 * const { members } = await sessionHousehold(deps, { sessionId, kioskId: "kiosk-0001" });
 * ```
 */
export async function sessionHousehold(
  deps: IssuanceDeps,
  input: { sessionId: string; kioskId: string },
  opts: HouseholdOptions = {},
): Promise<KioskHouseholdJson> {
  const log = opts.logger ?? deps.logger;
  try {
    const list = await listFor(deps, input, opts, log);
    log.info("household listed", {
      members: list.members.length,
      householdFormat: list.householdFormat ?? null,
    });
    return list;
  } catch (err) {
    if (!(err instanceof JlisError)) throw err;
    const shown = forKiosk(err);
    log[err.code === "ASP_UNAVAILABLE" ? "warn" : "info"](
      "household refused",
      {
        code: err.code,
        ...(shown.code !== err.code ? { kioskCode: shown.code } : {}),
      },
    );
    throw shown;
  }
}

async function listFor(
  deps: IssuanceDeps,
  input: { sessionId: string; kioskId: string },
  opts: HouseholdOptions,
  log: Logger,
): Promise<KioskHouseholdJson> {
  const now = deps.clock.now();
  assertOpen(now);
  const window = deps.sessionWindowMs ?? DEFAULT_SESSION_WINDOW_MS;
  const [row] = rowsOf<{
    municipality_code: string;
    card_serial: string;
    used: boolean | string;
  }>(
    await deps.db.execute(sql`
      select s.municipality_code, s.card_serial,
        exists (select 1 from issuance_requests r where r.session_id = s.id) as used
      from kiosk_sessions s join cards c on c.serial = s.card_serial
      where s.id = ${input.sessionId} and s.kiosk_id = ${input.kioskId}
        and s.outcome = 'AUTHENTICATED'
        and s.created_at > ${
      new Date(now.getTime() - window).toISOString()
    }::timestamptz
        and c.status = 'valid'
        and not exists (select 1 from tenant_halts h
          where h.municipality_code = s.municipality_code and h.resumed_at is null)`),
  );
  if (!row) await whyRefused(deps.db, input, now, window); // throws
  if (row.used === true || row.used === "t") {
    throw new JlisError("SESSION_ALREADY_USED", { sessionId: input.sessionId });
  }
  const code = row.municipality_code;
  const node = deps.directory.route(code);
  if (!node) {
    throw new JlisError("MUNICIPALITY_NOT_SERVED", { municipalityCode: code });
  }
  const requestId = `hh-${crypto.randomUUID()}`;
  const deadline = AbortSignal.timeout(
    deps.timeoutMs ?? DEFAULT_ISSUANCE_TIMEOUT_MS,
  );
  const signal = opts.signal
    ? AbortSignal.any([opts.signal, deadline])
    : deadline;
  let answer;
  try {
    answer = await callAsp(deps, node, {
      method: "GET",
      path: `/tenants/${code}/cards/${row.card_serial}/household`,
      requestId,
      correlationId: opts.correlationId ?? requestId,
      signal,
      municipalityCode: code,
      kioskId: input.kioskId,
    });
  } catch (err) {
    if (err instanceof JlisError) throw err; // ASP_NOT_CONFORMING
    const failure = {
      municipalityCode: code,
      requestId,
      kioskId: input.kioskId,
      aspNode: node.id,
    };
    if (isAbort(err) || signal.aborted) {
      if (!opts.signal?.aborted) {
        await noteFailure(deps, log, { ...failure, kind: "ASP_TIMEOUT" });
      }
      throw new JlisError("ISSUANCE_TIMEOUT", { requestId });
    }
    await noteFailure(deps, log, {
      ...failure,
      kind: err instanceof AspAnswerRejected
        ? "ANSWER_SIGNATURE"
        : "ASP_UNAVAILABLE",
    });
    throw new JlisError("ASP_UNAVAILABLE", { error: safeError(err) });
  }
  if (answer.status === 404 && answer.body.code === "CARD_NOT_FOUND") {
    throw new JlisError("CARD_NOT_LINKED");
  }
  if (answer.status === 404 && answer.body.code === "TENANT_NOT_FOUND") {
    throw new JlisError("MUNICIPALITY_NOT_SERVED", { municipalityCode: code });
  }
  // The node's reconciliation halted the municipality: an incident, and a
  // halt here too (as for a certificate request).
  const mismatch = replicaMismatch(answer.body);
  if (mismatch) {
    await recordIncidentAndHalt(deps.db, {
      at: deps.clock.now(),
      kind: "REPLICA_MISMATCH",
      municipalityCode: code,
      requestId,
      kioskId: input.kioskId,
      aspNode: node.id,
      details: mismatch,
    });
    throw new JlisError("TENANT_HALTED", { municipalityCode: code });
  }
  if (answer.status !== 200) throw aspRefusal(answer.status, answer.body, log);
  try {
    const { members, householdFormat } = parseMessage(
      aspHouseholdSchema,
      answer.body,
      "The ASP's household answer",
    );
    return { members, ...(householdFormat ? { householdFormat } : {}) };
  } catch (err) {
    // A malformed list (another field, the applicant not first) is never
    // passed on, not even in part.
    log.error("household answer breaks the protocol: ASP_UNAVAILABLE", {
      aspNode: node.id,
      issues: err instanceof ContractError ? err.issues : undefined,
      error: safeError(err),
    });
    throw new JlisError("ASP_UNAVAILABLE", { aspNode: node.id });
  }
}
