import assert from "node:assert/strict";
import { Hono } from "hono";
import type { HttpBindings } from "@hono/node-server";
import { createTestPki, issueRole, type Pki, verifyIssuedBy } from "./pki.ts";
import { mtlsFetch, peerSubject, serveMtls } from "./mtls.ts";

let pkiPromise: Promise<Pki> | undefined;
const pki = () => (pkiPromise ??= createTestPki());

async function withServer(
  fn: (url: string, p: Pki) => Promise<void>,
): Promise<void> {
  const p = await pki();
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get("/whoami", (c) => c.json({ peer: peerSubject(c) }));
  const ac = new AbortController();
  const server = serveMtls(app.fetch, {
    port: 0,
    cert: p.registry.cert,
    key: p.registry.key,
    ca: p.ca.cert,
    signal: ac.signal,
  });
  const { port } = await server.ready;
  try {
    await fn(`https://127.0.0.1:${port}/whoami`, p);
  } finally {
    ac.abort();
    await server.finished;
  }
}

Deno.test("serveMtls() lets a client with a certificate from the CA through and shows its subject", async () => {
  await withServer(async (url, p) => {
    const f = mtlsFetch({ ca: p.ca.cert, ...p.asp });
    try {
      const res = await f(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      const body = await res.json();
      assert.equal(body.peer.commonName, "asp");
      assert.equal(body.peer.organization, "Konbini Issuance Project");
      assert.equal(body.peer.issuerCommonName, "Konbini Test CA");
      assert.match(body.peer.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    } finally {
      f.close();
    }
  });
});

Deno.test("serveMtls() refuses a client without a certificate", async () => {
  await withServer(async (url, p) => {
    const client = Deno.createHttpClient({ caCerts: [p.ca.cert] });
    try {
      await assert.rejects(() =>
        fetch(url, { client }).then((r) => r.body?.cancel())
      );
    } finally {
      client.close();
    }
  });
});

Deno.test("serveMtls() refuses a client whose certificate is from another CA", async () => {
  await withServer(async (url, p) => {
    const other = await createTestPki({ commonName: "Rogue CA" }).then((o) =>
      o.ca
    );
    const rogue = await issueRole(other, "asp");
    const f = mtlsFetch({ ca: p.ca.cert, ...rogue });
    try {
      await assert.rejects(() => f(url).then((r) => r.body?.cancel()));
    } finally {
      f.close();
    }
  });
});

Deno.test("mtlsFetch() refuses a server whose certificate is not from the trusted CA", async () => {
  await withServer(async (url, p) => {
    const other = await createTestPki({ commonName: "Other CA" });
    const f = mtlsFetch({ ca: other.ca.cert, ...other.asp });
    try {
      await assert.rejects(() => f(url).then((r) => r.body?.cancel()));
    } finally {
      f.close();
    }
    assert.equal(await verifyIssuedBy(p.asp.cert, p.ca.cert), "asp");
    await assert.rejects(
      () => verifyIssuedBy(p.asp.cert, other.ca.cert),
      TypeError,
    );
  });
});
