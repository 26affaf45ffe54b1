import assert from "node:assert/strict";
import { bearerClients, identifyClient } from "./bearer_auth.ts";
import { DomainError } from "./errors.ts";

const clients = bearerClients([
  { id: "kiosk-0001", scopes: ["kiosk"] },
  { id: "ops", token: "ops-token-0123456789", scopes: ["admin"] },
  { id: "center", certificate: "jlis", scopes: ["issue"] },
]);
const identify = identifyClient(clients);
const peer = (commonName: string) => ({ commonName });

function refusedWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (e) => e instanceof DomainError && e.code === code);
}

Deno.test("identifyClient() names the client by its certificate's CN (default: its id)", () => {
  assert.equal(identify(peer("kiosk-0001"), undefined).id, "kiosk-0001");
  assert.equal(identify(peer("jlis"), undefined).id, "center");
});

Deno.test("identifyClient() refuses a certificate that is no configured client (403)", () => {
  refusedWith(() => identify(peer("kiosk-9999"), undefined), "FORBIDDEN");
  refusedWith(() => identify(peer("center"), undefined), "FORBIDDEN");
});

Deno.test("identifyClient() beside a certificate accepts only that client's token", () => {
  assert.equal(
    identify(peer("ops"), "Bearer ops-token-0123456789").id,
    "ops",
  );
  refusedWith(
    () => identify(peer("kiosk-0001"), "Bearer ops-token-0123456789"),
    "FORBIDDEN",
  );
  refusedWith(
    () => identify(peer("ops"), "Bearer not-a-token"),
    "UNAUTHENTICATED",
  );
  refusedWith(() => identify(peer("ops"), "Basic abc"), "UNAUTHENTICATED");
});

Deno.test("identifyClient() without a TLS peer needs a token; a certificate-only client cannot be reached", () => {
  assert.equal(identify(null, "Bearer ops-token-0123456789").id, "ops");
  refusedWith(() => identify(null, undefined), "UNAUTHENTICATED");
  refusedWith(() => identify(null, "Bearer kiosk-0001"), "UNAUTHENTICATED");
});

Deno.test("bearerClients() refuses two clients with one certificate or one token", () => {
  assert.throws(
    () =>
      bearerClients([
        { id: "a", certificate: "x", scopes: [] },
        { id: "x", scopes: [] },
      ]),
    TypeError,
  );
  assert.throws(
    () =>
      bearerClients([
        { id: "a", token: "same-token", scopes: [] },
        { id: "b", token: "same-token", scopes: [] },
      ]),
    TypeError,
  );
});
