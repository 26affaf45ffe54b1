/**
 * What an ASP node states about itself in every answer to the center,
 * covered by its answer signature (lib/contracts/center_asp.ts
 * `aspResponseSigningInput`): the digest of the build it runs
 * (`X-Asp-Build`) and, per tenant, the digest of that tenant's
 * configuration on this node (`X-Asp-Tenant-Config`). The center compares
 * both with the digests an operator set for the municipality
 * (services/jlis/issuance/conformance.ts).
 *
 * The build digest is computed once at start over the source the node runs
 * ({@linkcode BUILD_SOURCES}: the ASP's own folder, the shared lib, its
 * schemas and migrations, deno.json and deno.lock for the dependency
 * versions — test files and Markdown left out): SHA-256 over the sorted
 * lines `path TAB sha256(file)`, base64url. Two nodes started from the same
 * checkout state the same digest; a node that never received a fix states
 * another.
 *
 * The tenant's configuration digest is SHA-256 over the canonical JSON of
 * {@linkcode TENANT_CONFIG_FIELDS} (its policy as the tenant directory holds
 * it, the id of the master key wrapping its data key, its per-tenant DDL
 * version, this node's answer-signing key ids). A new field (a fee schedule
 * version) joins by adding one entry there. The municipality's name, mayor
 * and form profile are not this node's configuration but the registry's
 * record, which the feed brings to every node alike: they stay out, so that
 * a mayor changed at the registry does not make every conforming node
 * differ from the digest the operator set (what the sheets printed with
 * them is on their back sides). The
 * directory row is read at most every `ttlMs` per tenant (default 5 s), so
 * a policy changed by another process shows within that.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Tenant } from "../../db/asp/schema.ts";
import type { Tenancy } from "./tenancy.ts";

/** Repository paths (folders or files) the build digest covers. */
export const BUILD_SOURCES = [
  "services/asp",
  "lib",
  "db/asp",
  "db/migrations/asp",
  "db/migrations/asp_tenant",
  "deno.json",
  "deno.lock",
] as const;

const REPO_ROOT = new URL("../../", import.meta.url);

function sha256(data: string | Uint8Array, enc: "hex" | "base64url"): string {
  return createHash("sha256").update(data).digest(enc);
}

async function* filesUnder(root: URL, rel: string): AsyncGenerator<string> {
  const info = await Deno.stat(new URL(rel, root));
  if (info.isFile) {
    yield rel;
    return;
  }
  for await (const e of Deno.readDir(new URL(`${rel}/`, root))) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory) yield* filesUnder(root, child);
    else if (
      e.isFile && !e.name.endsWith("_test.ts") && !e.name.endsWith(".md")
    ) yield child;
  }
}

/**
 * The digest of the build under `root` (default: this checkout) over
 * `sources` (default {@linkcode BUILD_SOURCES}).
 *
 * @example
 * ```ts ignore
 * const build = await computeBuildDigest(); // e.g. "mC2b…" (43 characters)
 * ```
 */
export async function computeBuildDigest(
  opts: { root?: URL; sources?: readonly string[] } = {},
): Promise<string> {
  const root = opts.root ?? REPO_ROOT;
  const lines: string[] = [];
  for (const source of opts.sources ?? BUILD_SOURCES) {
    for await (const path of filesUnder(root, source)) {
      lines.push(
        `${path}\t${sha256(await Deno.readFile(new URL(path, root)), "hex")}`,
      );
    }
  }
  lines.sort();
  return sha256(`konbini-asp-build/v1\n${lines.join("\n")}\n`, "base64url");
}

/** What a tenant's configuration digest is computed from. */
export interface TenantConfigFacts {
  /** The tenant's directory row. */
  tenant: Tenant;
  /** This node's answer-signing key ids. */
  signingKeyIds: readonly string[];
}

/** The fields of a tenant's configuration digest (add one to extend it). */
export const TENANT_CONFIG_FIELDS: Record<
  string,
  (f: TenantConfigFacts) => unknown
> = {
  printMyNumber: (f) => f.tenant.printMyNumber,
  retentionYears: (f) => f.tenant.retentionYears,
  stalenessMaxEvents: (f) => f.tenant.stalenessMaxEvents,
  stalenessMaxSeconds: (f) => f.tenant.stalenessMaxSeconds,
  dataKeyWrappedBy: (f) => f.tenant.masterKeyId,
  tenantDdlVersion: (f) => f.tenant.ddlVersion,
  answerSigningKeyIds: (f) => [...f.signingKeyIds].sort(),
};

/**
 * The tenant's configuration as hashed: every field of
 * {@linkcode TENANT_CONFIG_FIELDS}, keys sorted.
 *
 * @example
 * ```ts ignore
 * tenantConfiguration({ tenant, signingKeyIds: ["k1"] }).retentionYears; // 5
 * ```
 */
export function tenantConfiguration(
  f: TenantConfigFacts,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(TENANT_CONFIG_FIELDS).sort()) {
    out[key] = TENANT_CONFIG_FIELDS[key](f);
  }
  return out;
}

/**
 * The digest of a tenant's configuration (base64url SHA-256 of its
 * canonical JSON).
 *
 * @example
 * ```ts ignore
 * const d = tenantConfigDigest({ tenant, signingKeyIds });
 * ```
 */
export function tenantConfigDigest(f: TenantConfigFacts): string {
  return sha256(
    `konbini-asp-tenant-config/v1\n${JSON.stringify(tenantConfiguration(f))}`,
    "base64url",
  );
}

/** What a node states in its answers. */
export interface NodeIdentity {
  /** The build digest (computed once at start). */
  readonly buildDigest: string;
  /** A tenant's configuration digest, "" for a tenant this node does not host. */
  tenantDigest(code: string): Promise<string>;
}

/**
 * The node's identity over its tenancy and signer.
 *
 * @example
 * ```ts ignore
 * const identity = createNodeIdentity({ buildDigest: await computeBuildDigest(), tenancy, signer });
 * ```
 */
export function createNodeIdentity(deps: {
  buildDigest: string;
  tenancy: Tenancy;
  signer: { keyList(): Promise<{ keys: { keyId: string }[] }> };
  /** How long a tenant's digest is reused before its row is read again, ms. */
  ttlMs?: number;
  now?: () => number;
}): NodeIdentity {
  const ttl = deps.ttlMs ?? 5000;
  const now = deps.now ?? (() => performance.now());
  const cache = new Map<string, { at: number; digest: Promise<string> }>();
  return {
    buildDigest: deps.buildDigest,
    tenantDigest(code) {
      const hit = cache.get(code);
      if (hit && now() - hit.at < ttl) return hit.digest;
      const digest = (async () => {
        const tenant = await deps.tenancy.get(code).catch(() => null);
        if (!tenant) return "";
        const keys = (await deps.signer.keyList()).keys.map((k) => k.keyId);
        return tenantConfigDigest({ tenant, signingKeyIds: keys });
      })();
      cache.set(code, { at: now(), digest });
      digest.catch(() => cache.delete(code));
      return digest;
    },
  };
}
