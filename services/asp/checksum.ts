/**
 * A canonical checksum of one tenant's replica, and the same checksum
 * computed from registry records (feed shape) through the same projection:
 * equal digests mean the replica holds exactly what it should.
 *
 * Canonical form: per kind, rows sorted by id, each as JSON with sorted keys,
 * one per line; SHA-256 per kind, then over the kinds' digests.
 *
 * @module
 */
import {
  projectBlock,
  projectCard,
  projectHousehold,
  type ProjectionPolicy,
  projectResident,
  projectSeal,
  readAll,
  type SnapshotRecord,
} from "./replica.ts";
import type { Tenancy } from "./tenancy.ts";
import { canonicalJson } from "../../lib/contracts/reconciliation.ts";

/** A checksum with per-kind digests and counts (for diagnosis). */
export interface ReplicaChecksum {
  digest: string;
  kinds: Record<string, { count: number; digest: string }>;
}

const KINDS = ["resident", "household", "seal", "block", "card"] as const;

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return new Uint8Array(d).toHex();
}

async function digestOf(
  rows: Record<(typeof KINDS)[number], Record<string, unknown>[]>,
): Promise<ReplicaChecksum> {
  const kinds: ReplicaChecksum["kinds"] = {};
  for (const k of KINDS) {
    const key = k === "card" ? "serial" : "id";
    const lines = rows[k].map((r) =>
      [String(r[key]), canonicalJson(r)] as const
    )
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, line]) => line);
    kinds[k] = {
      count: lines.length,
      digest: await sha256Hex(`${k}\n${lines.join("\n")}`),
    };
  }
  const digest = await sha256Hex(
    KINDS.map((k) => `${k}:${kinds[k].digest}`).join("\n"),
  );
  return { digest, kinds };
}

/**
 * The checksum of a tenant's replica as stored (decrypted in a tenant transaction).
 *
 * @example
 * ```ts ignore
 * const { digest } = await replicaChecksum(tenancy, "401005");
 * ```
 */
export async function replicaChecksum(
  tenancy: Tenancy,
  code: string,
): Promise<ReplicaChecksum> {
  const all = await tenancy.withTenant(code, (tx, t) => readAll(tx, t.cipher));
  return await digestOf({
    resident: all.residents as unknown as Record<string, unknown>[],
    household: all.households as unknown as Record<string, unknown>[],
    seal: all.seals as unknown as Record<string, unknown>[],
    block: all.blocks as unknown as Record<string, unknown>[],
    card: all.cards as unknown as Record<string, unknown>[],
  });
}

/**
 * The checksum the replica must have for these registry records (feed shape).
 *
 * @example
 * ```ts ignore
 * const expected = await recordsChecksum(records, { code: "401005", printMyNumber: false });
 * ```
 */
export async function recordsChecksum(
  records: Iterable<SnapshotRecord>,
  policy: ProjectionPolicy,
): Promise<ReplicaChecksum> {
  const rows: Record<(typeof KINDS)[number], Record<string, unknown>[]> = {
    resident: [],
    household: [],
    seal: [],
    block: [],
    card: [],
  };
  for (const r of records) {
    const p = r.kind === "resident"
      ? projectResident(r.data, policy)
      : r.kind === "household"
      ? projectHousehold(r.data, policy)
      : r.kind === "seal"
      ? projectSeal(r.data, policy)
      : r.kind === "block"
      ? projectBlock(r.data, policy)
      : projectCard(r.data, policy);
    rows[r.kind].push(p as unknown as Record<string, unknown>);
  }
  return await digestOf(rows);
}
