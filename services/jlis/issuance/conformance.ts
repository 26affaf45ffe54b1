/**
 * One build, a known configuration: every signed answer of an ASP node
 * states the digest of the build the node runs and the digest of the
 * tenant's configuration there (services/asp/node_identity.ts; covered by
 * its `X-Asp-Signature`). The center holds the expected pair per
 * municipality, set by an operator (`PUT /operations/digests/{code}`), and
 * checks every answer against it before reading it
 * (asp_directory.ts `callAsp`):
 *
 * - a build other than the expected one → refused (`ASP_NOT_CONFORMING`),
 *   a `BUILD_DIGEST_MISMATCH` incident, the tenant halted (the 2023 case: a
 *   node that never received a fix);
 * - a configuration other than the expected one → refused, a
 *   `CONFIG_DIGEST_MISMATCH` incident, the tenant halted (drift);
 * - no expectation set (either digest) → the `unsetDigests` policy: `refuse`
 *   (the default under KONBINI_ENV=production) refuses with one open
 *   `DIGESTS_NOT_SET` incident per municipality, not halting; `accept`
 *   (development, demonstrations, the bench) lets it through.
 *
 * Either way every pair a node states is recorded once with the time it was
 * first seen (`asp_seen_digests`), so an operator can check and adopt it.
 * The expectation is read on every answer (one indexed row), never cached:
 * an operator's change holds on every center instance at once.
 *
 * @module
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../lib/db/database.ts";
import { preparedSelect } from "../../../lib/db/prepared_select.ts";
import type { Logger } from "../../../lib/service/logger.ts";
import type { MetricsRegistry } from "../../../lib/service/metrics.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import { aspExpectedDigests, aspSeenDigests } from "../../../db/jlis/schema.ts";
import { JlisError } from "../errors.ts";
import { type IncidentKind, recordIncident } from "./incidents.ts";

/** What an answer gets when no expectation is set. */
export type UnsetDigests = "accept" | "refuse";

/** What a node stated in a signed answer. */
export interface StatedDigests {
  build: string;
  /** "" when the node does not host the tenant. */
  config: string;
}

/** One answer to check. */
export interface ConformanceInput {
  aspNode: string;
  municipalityCode: string;
  requestId: string;
  /** The kiosk the request came from ("center" for the center's own calls). */
  kioskId: string;
  stated: StatedDigests;
}

/** The center's check of what nodes state. */
export interface Conformance {
  /**
   * Checks one answer's digests; throws JlisError `ASP_NOT_CONFORMING`
   * (incident recorded) when it must not be used.
   */
  check(input: ConformanceInput): Promise<void>;
}

const expectedOf = preparedSelect(
  aspExpectedDigests,
  eq(aspExpectedDigests.municipalityCode, sql.placeholder("code")),
);

/**
 * Creates the check of one center instance.
 *
 * @example
 * ```ts ignore
 * const conformance = createConformance({ db, clock, unset: "refuse", logger, metrics });
 * await conformance.check({ aspNode: "asp-1", municipalityCode: "401005", requestId, kioskId, stated });
 * ```
 */
export function createConformance(deps: {
  db: Db;
  clock: Clock;
  unset: UnsetDigests;
  logger?: Logger;
  metrics?: MetricsRegistry;
}): Conformance {
  // Pairs this instance has recorded as seen (one insert each).
  const seen = new Set<string>();
  const refusals = deps.metrics?.counter(
    "jlis_asp_digest_refusals_total",
    "ASP answers refused because the node's stated build or tenant configuration is not the expected one, by kind",
  );
  async function recordSeen(input: ConformanceInput): Promise<void> {
    const key = [
      input.municipalityCode,
      input.aspNode,
      input.stated.build,
      input.stated.config,
    ].join("\u0000");
    if (seen.has(key)) return;
    await deps.db.insert(aspSeenDigests).values({
      municipalityCode: input.municipalityCode,
      aspNode: input.aspNode,
      buildDigest: input.stated.build,
      configDigest: input.stated.config,
      firstSeenAt: deps.clock.now(),
    }).onConflictDoNothing();
    // Bounded: a node stating ever new values costs a row each, not memory.
    if (seen.size >= 10_000) seen.clear();
    seen.add(key);
  }
  async function refuse(
    input: ConformanceInput,
    kind: IncidentKind,
    expected: { build: string | null; config: string | null },
  ): Promise<never> {
    const incident = await recordIncident(deps.db, {
      at: deps.clock.now(),
      kind,
      municipalityCode: input.municipalityCode,
      requestId: input.requestId,
      kioskId: input.kioskId,
      aspNode: input.aspNode,
      details: { expected, stated: input.stated },
    });
    refusals?.inc({ kind });
    deps.logger?.error(
      "ASP answer refused: not the expected build or configuration",
      {
        aspNode: input.aspNode,
        municipalityCode: input.municipalityCode,
        requestId: input.requestId,
        kind,
        incidentId: incident.id,
      },
    );
    throw new JlisError("ASP_NOT_CONFORMING", {
      kind,
      incidentId: incident.id,
    });
  }
  return {
    async check(input) {
      await recordSeen(input);
      const [row] = await expectedOf(deps.db, {
        code: input.municipalityCode,
      });
      const expected = {
        build: row?.buildDigest ?? null,
        config: row?.configDigest ?? null,
      };
      if (expected.build !== null && expected.build !== input.stated.build) {
        await refuse(input, "BUILD_DIGEST_MISMATCH", expected);
      }
      if (
        expected.config !== null && expected.config !== input.stated.config
      ) {
        await refuse(input, "CONFIG_DIGEST_MISMATCH", expected);
      }
      if (
        deps.unset === "refuse" &&
        (expected.build === null || expected.config === null)
      ) {
        await refuse(input, "DIGESTS_NOT_SET", expected);
      }
    },
  };
}

/** An expectation as an operator sets it. */
export interface ExpectedDigestsInput {
  /** The build digest (null: not set). */
  build: string | null;
  /** The tenant configuration digest (null: not set). */
  config: string | null;
  by: string;
  reason: string;
  at: Date;
}

/**
 * Sets (replaces) the digests expected for a municipality.
 *
 * @example
 * ```ts ignore
 * await setExpectedDigests(db, "401005", { build, config, by: "ops", reason: "release 2026.12", at });
 * ```
 */
export async function setExpectedDigests(
  db: Db,
  code: string,
  input: ExpectedDigestsInput,
): Promise<void> {
  const values = {
    buildDigest: input.build,
    configDigest: input.config,
    setAt: input.at,
    setBy: input.by,
    reason: input.reason,
  };
  await db.insert(aspExpectedDigests).values({
    municipalityCode: code,
    ...values,
  }).onConflictDoUpdate({
    target: aspExpectedDigests.municipalityCode,
    set: values,
  });
}

/**
 * A municipality's expected digests (or null) and every pair its nodes
 * stated, oldest first.
 *
 * @example
 * ```ts ignore
 * const { expected, seen } = await digestsOf(db, "401005");
 * ```
 */
export async function digestsOf(db: Db, code: string) {
  const [expected] = await db.select().from(aspExpectedDigests).where(
    eq(aspExpectedDigests.municipalityCode, code),
  );
  const seen = await db.select().from(aspSeenDigests).where(
    eq(aspSeenDigests.municipalityCode, code),
  ).orderBy(aspSeenDigests.firstSeenAt);
  return { expected: expected ?? null, seen };
}
