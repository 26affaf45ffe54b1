/**
 * Attack tests of the transport (issue 12, Build 1 and 2), against the real
 * services over real sockets: the registry, the ASP and the center as
 * `deno task start` runs them (their start functions, the certificates of
 * `deno task certs`), and a kiosk over mutual TLS.
 *
 * - every mutual-TLS port refuses a client without a certificate and one
 *   whose certificate comes from another CA (even with a known CN);
 * - a valid project certificate of the wrong party is refused (403): a
 *   kiosk at the ASP's certificate-build route and at the registry's feed,
 *   the ASP at the center's kiosk routes; a bearer token beside a
 *   certificate must be that client's;
 * - the registry's plaintext port answers the probes and nothing else;
 * - the center records the terminal id of the kiosk's certificate in its
 *   message log and ledger;
 * - a kiosk refuses a center whose server certificate is not from its
 *   pinned CA (a man in the middle with a CA of its own).
 *
 * @module
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { ledger, messageLog } from "../db/jlis/schema.ts";
import { ensureCerts } from "../scripts/certs.ts";
import { startRegistry } from "../services/registry/main.ts";
import { type RunningAsp, startAsp } from "../services/asp/main.ts";
import { type RunningJlis, startJlis } from "../services/jlis/main.ts";
import {
  createTestPki,
  type MtlsFetch,
  mtlsFetch,
  type PemPair,
  readTlsIdentity,
  serveMtls,
  tlsFiles,
} from "../lib/tls/mod.ts";
import { openIssuanceWorld } from "./support/issuance_world.ts";

type Env = { get(k: string): string | undefined };
const envOf = (vars: Record<string, string>): Env => ({
  get: (k) => vars[k],
});

/** Whether a request over `f` fails before any HTTP answer (TLS refused). */
async function refused(f: typeof fetch, url: string): Promise<boolean> {
  try {
    const res = await f(url);
    await res.body?.cancel();
    return false;
  } catch {
    return true;
  }
}

async function status(
  f: typeof fetch,
  url: string,
  init?: RequestInit,
): Promise<number> {
  const res = await f(url, init);
  await res.body?.cancel();
  return res.status;
}

const POST_JSON = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

Deno.test("[tls] every mutual-TLS port: foreign CA, no certificate and the wrong party are refused; the plaintext registry port serves only probes", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "tls-attack-" });
  const certs = `${root}/certs`;
  await ensureCerts(certs);
  const base = { DATA_DIR: `${root}/data`, CERTS_DIR: certs };
  const clients: MtlsFetch[] = [];
  const as = async (name: string) => {
    const f = mtlsFetch(
      await readTlsIdentity(tlsFiles(envOf(base), "TEST", name)),
    );
    clients.push(f);
    return f;
  };
  const registry = await startRegistry(
    envOf({ ...base, REGISTRY_PORT: "0" }),
  );
  let asp: RunningAsp | undefined;
  let jlis: RunningJlis | undefined;
  try {
    asp = await startAsp(
      envOf({
        ...base,
        ASP_PORT: "0",
        ASP_REGISTRY_URL: registry.tlsUrl!,
        ASP_SYNC_WAIT_SECONDS: "1",
      }),
    );
    jlis = await startJlis(
      envOf({
        ...base,
        JLIS_PORT: "0",
        // Within kiosk hours whatever the time of day the test runs.
        JLIS_CLOCK_START: "2026-11-26T10:00:00+09:00",
        JLIS_ASP_NODES: JSON.stringify([{
          id: "asp-1",
          url: asp.url,
          token: "",
          municipalities: ["401005", "401307"],
        }]),
      }),
    );
    const [aspUrl, jlisUrl] = [asp.url!, jlis.url];
    const ports = {
      registry: `${registry.tlsUrl}/municipalities/401005/feed?after=0`,
      asp: `${aspUrl}/tenants`,
      center: `${jlisUrl}/cards/00/status`,
    };
    const ca = await Deno.readTextFile(`${certs}/ca.pem`);
    const rogue = await createTestPki({ commonName: "Konbini Test CA" });

    await t.step(
      "a client without a certificate is refused at the handshake",
      async () => {
        const client = Deno.createHttpClient({ caCerts: [ca] });
        try {
          for (const [name, url] of Object.entries(ports)) {
            assert.ok(
              await refused((i, init) => fetch(i, { ...init, client }), url),
              name,
            );
          }
        } finally {
          client.close();
        }
      },
    );

    await t.step(
      "a certificate from another CA is refused at the handshake, whatever its name",
      async () => {
        for (const [name, url] of Object.entries(ports)) {
          for (const cn of ["asp", "jlis", "ops", "kiosk-0001"] as const) {
            // The rogue client trusts the real CA (it wants to talk), but
            // presents a certificate of its own CA under a registered name.
            const f = mtlsFetch({ ca, ...(rogue[cn] as PemPair) });
            try {
              assert.ok(await refused(f, url), `${name} with rogue ${cn}`);
            } finally {
              f.close();
            }
          }
        }
      },
    );

    await t.step("the right party gets in", async () => {
      // No municipality in this empty registry: past authentication, 404.
      const feed = await (await as("asp"))(ports.registry);
      assert.equal(feed.status, 404);
      assert.notEqual((await feed.json()).code, "FORBIDDEN");
      assert.equal(await status(await as("ops"), ports.asp), 200);
      assert.equal(
        await status(
          await as("kiosk-0001"),
          `${jlisUrl}/kiosk/sessions`,
          POST_JSON({}),
        ),
        201,
      );
    });

    await t.step("a project certificate of the wrong party → 403", async () => {
      const kiosk = await as("kiosk-0001");
      // A kiosk (any CA-issued certificate) cannot build certificates at the ASP…
      assert.equal(
        await status(
          kiosk,
          `${aspUrl}/tenants/401005/certificates`,
          POST_JSON({}),
        ),
        403,
      );
      // …nor read the registry's feed or records.
      assert.equal(await status(kiosk, ports.registry), 403);
      assert.equal(
        await status(
          kiosk,
          `${registry.tlsUrl}/municipalities/401005/residents`,
        ),
        403,
      );
      // The ASP's certificate is not a kiosk at the center.
      const aspCert = await as("asp");
      assert.equal(
        await status(aspCert, `${jlisUrl}/kiosk/sessions`, POST_JSON({})),
        403,
      );
      // The center's certificate is not the ASP's operator, and a window is not a kiosk.
      assert.equal(await status(await as("jlis"), ports.asp), 403);
      assert.equal(
        await status(
          await as("city-401005"),
          `${jlisUrl}/kiosk/sessions`,
          POST_JSON({}),
        ),
        403,
      );
      // The portal may read a ledger status, not revoke a card.
      assert.equal(
        await status(
          await as("portal"),
          `${jlisUrl}/cards/00/revoke`,
          POST_JSON({ reason: "x" }),
        ),
        403,
      );
    });

    await t.step(
      "a bearer token beside the certificate must be that client's (401 otherwise)",
      async () => {
        const kiosk = await as("kiosk-0001");
        assert.equal(
          await status(
            kiosk,
            `${jlisUrl}/kiosk/sessions`,
            POST_JSON({}, { Authorization: "Bearer someone-elses-token-000" }),
          ),
          401,
        );
      },
    );

    await t.step(
      "the center's message log names the kiosk of the certificate",
      async () => {
        const rows = await jlis!.database.db.select({ peer: messageLog.peer })
          .from(messageLog).where(eq(messageLog.path, "/kiosk/sessions"));
        const peers = new Set(rows.map((r: { peer: string }) => r.peer));
        assert.ok(peers.has("kiosk-0001"), [...peers].join(","));
        // The refused ASP certificate is named as a certificate, not as a client.
        assert.ok(peers.has("certificate:asp"), [...peers].join(","));
        assert.ok(!peers.has("asp"), [...peers].join(","));
      },
    );

    await t.step(
      "the registry's plaintext port answers /healthz and /metrics only",
      async () => {
        assert.equal(await status(fetch, `${registry.url}/healthz`), 200);
        assert.equal(await status(fetch, `${registry.url}/metrics`), 200);
        for (
          const path of [
            "/municipalities/401005/feed?after=0",
            "/municipalities/401005/residents",
            "/openapi.json",
            "/docs",
          ]
        ) {
          assert.equal(
            await status(fetch, `${registry.url}${path}`),
            404,
            path,
          );
        }
        assert.equal(
          await status(
            fetch,
            `${registry.url}/municipalities/401005/events`,
            POST_JSON({ type: "tennyu" }),
          ),
          404,
        );
      },
    );
  } finally {
    for (const c of clients) c.close();
    await jlis?.stop();
    await asp?.stop();
    await registry.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("[tls] a kiosk over mutual TLS: the ledger records its certificate's terminal id; a center with a certificate from another CA is refused", async (t) => {
  const w = await openIssuanceWorld({ nodes: undefined });
  const pki = await createTestPki();
  const rogue = await createTestPki({ commonName: "Konbini Test CA" });
  const dir = await Deno.makeTempDir({ prefix: "tls-kiosk-" });
  const center = serveMtls(w.jlis.apps[0].fetch, {
    port: 0,
    ...pki.jlis,
    ca: pki.ca.cert,
  });
  // A man in the middle: the same center behind a certificate of its own CA.
  const mitm = serveMtls(w.jlis.apps[0].fetch, {
    port: 0,
    ...rogue.jlis,
    ca: pki.ca.cert,
  });
  const kioskTls = mtlsFetch({ ca: pki.ca.cert, ...pki["kiosk-0002"] });
  try {
    const resident = await w.moveIn("401005", { name: "通信　花子" });
    const card = await w.issueCard("401005", resident);
    await w.sync();
    const keyList = await w.jlis.signer.keyList();

    await t.step(
      "the ledger names kiosk-0002, the terminal of the certificate",
      async () => {
        const r = await w.kiosk({
          centerUrl: `https://localhost:${(await center.ready).port}`,
          fetch: kioskTls,
          token: undefined,
          keyList,
        }).run({
          card,
          pin: "1234",
          type: "juminhyo",
          pdfPath: `${dir}/ok.pdf`,
        });
        assert.ok(r.ok, JSON.stringify(r));
        const rows = await w.jlis.databases[0].db.select().from(ledger).where(
          eq(ledger.issueNumber, r.issueNumber),
        );
        assert.ok(rows.length > 0);
        for (const row of rows) {
          assert.equal(
            (row.data as { kioskId?: string }).kioskId,
            "kiosk-0002",
          );
        }
      },
    );

    await t.step(
      "a center whose certificate is not from the kiosk's pinned CA: nothing printed",
      async () => {
        const pdfPath = `${dir}/mitm.pdf`;
        // A kiosk just booted (no TLS session to resume: in this one test
        // process the two servers would share their session-ticket keys, which
        // a real man in the middle does not have).
        const booted = mtlsFetch({ ca: pki.ca.cert, ...pki["kiosk-0002"] });
        const run = w.kiosk({
          centerUrl: `https://localhost:${(await mitm.ready).port}`,
          fetch: booted,
          token: undefined,
          keyList,
        }).run({ card, pin: "1234", type: "juminhyo", pdfPath });
        const outcome = await run.then((r) => r, (err) => err as Error)
          .finally(() => booted.close());
        assert.ok(
          outcome instanceof Error || outcome.ok === false,
          "the run must fail",
        );
        await assert.rejects(() => Deno.stat(pdfPath), Deno.errors.NotFound);
      },
    );
  } finally {
    kioskTls.close();
    await center.close();
    await mitm.close();
    await w.close();
    await Deno.remove(dir, { recursive: true });
  }
});
