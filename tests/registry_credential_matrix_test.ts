/**
 * The registry's least privilege, as a generated matrix: every operation of
 * its OpenAPI document × every kind of credential (none, unknown, each scope
 * bound to one municipality, admin) × the municipality in the path (the
 * client's own, another served one, one that does not exist). Expected:
 * no or unknown credential → 401; a missing scope or another municipality →
 * 403 with the error JSON; otherwise the request passes authorisation (what
 * the handler then says — 400 for the empty body, 404… — is not 401/403 and
 * never a 500). The table of required scopes must cover exactly the
 * document's operations, so a new route cannot be added without a line here.
 */
import assert from "node:assert/strict";
import { createMetrics } from "../lib/service/metrics.ts";
import { silentLogger } from "../lib/service/logger.ts";
import { fakeClock } from "../lib/time/clock.ts";
import { createRegistryApp } from "../services/registry/app.ts";
import {
  clientsFromTokens,
  type Scope,
  SCOPES,
} from "../services/registry/auth.ts";
import { createFeedNotifier } from "../services/registry/feed_notifier.ts";
import { REGISTRY_MIGRATIONS } from "./support/registry_world.ts";
import { openTestDatabase } from "./support/test_database.ts";

/** The scope each operation needs (`admin` passes every one). */
const REQUIRED: Record<string, Scope> = {
  "put /municipalities/{code}": "admin",
  "get /municipalities/{code}": "read",
  "post /municipalities/{code}/events": "write",
  "get /municipalities/{code}/residents": "read",
  "get /municipalities/{code}/residents/{id}": "read",
  "get /municipalities/{code}/residents/{id}/history": "read",
  "post /municipalities/{code}/residents/{id}/seals": "write",
  "post /municipalities/{code}/residents/{id}/blocks": "write",
  "post /municipalities/{code}/seals/{sealId}/abolish": "write",
  "post /municipalities/{code}/blocks/{blockId}/lift": "write",
  "post /municipalities/{code}/card-links": "card_link",
  "get /municipalities/{code}/card-links/{serial}": "card_link",
  "delete /municipalities/{code}/card-links/{serial}": "card_link",
  "get /municipalities/{code}/feed": "feed",
  "get /municipalities/{code}/gaiji": "read",
  "put /municipalities/{code}/gaiji/{codePoint}": "write",
  "delete /municipalities/{code}/gaiji/{codePoint}": "write",
  "get /municipalities/{code}/issuances": "issuances",
  "post /municipalities/{code}/issuances/{issueNumber}/revoke": "revoke",
  "post /municipalities/{code}/reconciliation": "feed",
  // The center's signed checkpoints: of no one municipality, scope only.
  "get /ledger-checkpoints": "read",
};

const OWN = "401005";
const OTHER = "401307";
const ABSENT = "999999";

const PARAMS: Record<string, string> = {
  id: `${OWN}-00000001`,
  sealId: "seal-1",
  blockId: "block-1",
  serial: "0a1b2c3d",
  issueNumber: `${OWN}-20261126-0000001`,
  codePoint: "E02A",
};

interface Credential {
  label: string;
  header?: string;
  scope?: Scope;
}

Deno.test("registry credential matrix: every route × credential × municipality", async () => {
  const database = await openTestDatabase(REGISTRY_MIGRATIONS);
  try {
    const bound = SCOPES.filter((s) => s !== "admin");
    const clients = clientsFromTokens([
      { id: "ops", token: "matrix-admin", scopes: ["admin"] },
      ...bound.map((s) => ({
        id: `${s}-${OWN}`,
        token: `matrix-${s}-${OWN}`,
        scopes: [s],
        municipalities: [OWN],
      })),
    ]);
    const app = createRegistryApp({
      db: database.db,
      clock: fakeClock("2026-11-26T10:00:00+09:00"),
      clients,
      notifier: createFeedNotifier(),
      logger: silentLogger(),
      metrics: createMetrics(),
      maxFeedWaitMs: 0,
    });
    for (const [code, name] of [[OWN, "北九州市"], [OTHER, "福岡市"]]) {
      const res = await app.request(`/municipalities/${code}`, {
        method: "PUT",
        headers: {
          Authorization: "Bearer matrix-admin",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ name, mayor: `${name}長` }),
      });
      assert.equal(res.status, 200);
    }

    const doc = await (await app.request("/openapi.json")).json();
    const operations = Object.entries(
      doc.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method, path }))
    );
    assert.deepEqual(
      operations.map((o) => `${o.method} ${o.path}`).sort(),
      Object.keys(REQUIRED).sort(),
      "the scope table covers exactly the registry's operations",
    );

    const credentials: Credential[] = [
      { label: "no credential" },
      { label: "malformed header", header: "Basic abc" },
      { label: "unknown token", header: "Bearer not-a-registry-token" },
      { label: "admin", header: "Bearer matrix-admin", scope: "admin" },
      ...bound.map((s) => ({
        label: `${s}@${OWN}`,
        header: `Bearer matrix-${s}-${OWN}`,
        scope: s,
      })),
    ];
    let cells = 0;
    for (const op of operations) {
      const required = REQUIRED[`${op.method} ${op.path}`];
      for (const code of [OWN, OTHER, ABSENT]) {
        const url = op.path.replace(
          /\{(\w+)\}/g,
          (_, p: string) => p === "code" ? code : PARAMS[p],
        );
        for (const cred of credentials) {
          const res = await app.request(url, {
            method: op.method.toUpperCase(),
            headers: {
              ...(cred.header ? { Authorization: cred.header } : {}),
              ...(op.method === "get" ? {} : {
                "Content-Type": "application/json",
              }),
            },
            body: op.method === "get" ? undefined : "{}",
          });
          const body = await res.json().catch(() => null);
          const where =
            `${op.method.toUpperCase()} ${url} as ${cred.label}: ${res.status} ${
              JSON.stringify(body)
            }`;
          cells++;
          if (!cred.scope) {
            assert.equal(res.status, 401, where);
            assert.equal(body?.code, "UNAUTHENTICATED", where);
          } else if (
            cred.scope === "admin" ||
            (cred.scope === required &&
              (code === OWN || !op.path.includes("{code}")))
          ) {
            assert.ok(![401, 403].includes(res.status), where);
            assert.ok(res.status < 500, where);
          } else {
            assert.equal(res.status, 403, where);
            assert.equal(body?.code, "FORBIDDEN", where);
            assert.ok(body.message_ja && body.message_en, where);
          }
        }
      }
    }
    assert.equal(cells, operations.length * 3 * credentials.length);
  } finally {
    await database.close();
  }
});
