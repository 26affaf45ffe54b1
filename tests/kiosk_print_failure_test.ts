/**
 * The kiosk prints only what it can (issue 13, item 7), against the real
 * services: the center serves on a real mutual-TLS socket, the kiosk talks
 * to it with its terminal certificate (in process, and as the command line
 * `deno task kiosk` in a process of its own). After the center released a
 * document, every page either prints or is reported as not printed:
 *
 * - a page the renderer cannot render (an injected failure on the last
 *   sheet of a household): the print stops, the copy containing it is
 *   voided and refunded in the ledger, reason `print_failed` /
 *   `RENDER_FAILED`; with 部数 2 and the failure in copy 2, copy 1 is
 *   delivered (and printed), copy 2 voided and refunded; a failure after a
 *   jam stops the print once, from the jammed copy on;
 * - a seal impression that is not a decodable image reaching the kiosk (a
 *   registration older than the registry's image check — the image as
 *   submitted, no print or compact version —, put in its table directly):
 *   the command line exits with the kiosk's message, not a crash; nothing
 *   printed, the sheet voided and refunded;
 * - a PDF that cannot be written: nothing printed, `WRITE_FAILED`, every
 *   copy voided and refunded.
 *
 * @module
 */
import assert from "node:assert/strict";
import { useFormProfile } from "./support/asp_world.ts";
import { eq } from "drizzle-orm";
import { sealRegistrations } from "../db/registry/schema.ts";
import { issuanceRequests, ledger } from "../db/jlis/schema.ts";
import {
  createRenderer,
  PageRenderError,
  type Renderer,
} from "../lib/render/mod.ts";
import { createTestPki, mtlsFetch, serveMtls } from "../lib/tls/mod.ts";
import { sealImpressionPng } from "../services/registry/seed/mod.ts";
import { issueStatus } from "../services/jlis/issuance/ledger.ts";
import type {
  KioskChoice,
  KioskEvent,
  KioskOptions,
  KioskReceipt,
  KioskRefusal,
} from "../services/kiosk/kiosk.ts";
import {
  type IssuanceWorld,
  ONE_NODE,
  openIssuanceWorld,
} from "./support/issuance_world.ts";

const CODE = "401005";
const FEE = { juminhyo: 200, inkan: 200, kisai: 200 } as const;

function receipt(r: KioskReceipt | KioskRefusal): KioskReceipt {
  if (!r.ok) assert.fail(`refused: ${r.stage} ${r.code} ${r.message_en}`);
  return r;
}

/** The ledger's entries of an issue, oldest first. */
async function entries(w: IssuanceWorld, issueNumber: string) {
  return await w.jlis.databases[0].db.select().from(ledger).where(
    eq(ledger.issueNumber, issueNumber),
  ).orderBy(ledger.seq);
}

/** Pages of a PDF the kiosk wrote (fronts and backs). */
async function pdfPages(path: string): Promise<number> {
  const text = new TextDecoder("latin1").decode(await Deno.readFile(path));
  return text.match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

type Docs = Parameters<Renderer["pdfOfDocuments"]>[0];

/**
 * A renderer that cannot render the sheet `pick` names in the print it is
 * asked for (1-based over all its documents, as PageRenderError counts), or
 * renders when `pick` names none.
 */
function failing(
  real: Renderer,
  pick: (docs: Docs) => number | null,
): Renderer {
  return {
    ...real,
    pdfOfDocuments(docs) {
      const page = pick(docs);
      if (page !== null) {
        throw new PageRenderError(page, "front", new Error("injected"));
      }
      return real.pdfOfDocuments(docs);
    },
  };
}

const sheetsOf = (docs: Docs) =>
  docs.reduce((k, d) => k + d.doc.sheets.length, 0);

/** The print's last sheet cannot be rendered. */
const failingLastSheet = (real: Renderer) =>
  failing(real, (docs) => sheetsOf(docs));

/** The last sheet of the second copy cannot be rendered (if it is printed). */
const failingInCopy2 = (real: Renderer) =>
  failing(real, (docs) => docs.length >= 2 ? sheetsOf(docs.slice(0, 2)) : null);

Deno.test("[e2e] the kiosk prints only what it can: a page it cannot render or write is voided and refunded like a jam, never a crash", async (t) => {
  const w = await openIssuanceWorld({ nodes: ONE_NODE });
  // 世帯連記式, one member a sheet: a household is one certificate of
  // several pages (what these steps exercise: a jam or a failure voids it whole).
  useFormProfile(w.nodes[0].asp.tenancy, "401005", {
    householdFormat: "renki",
    membersPerSheet: 1,
  });
  const pki = await createTestPki();
  const center = serveMtls(w.jlis.apps[0].fetch, {
    port: 0,
    ...pki.jlis,
    ca: pki.ca.cert,
  });
  const kioskTls = mtlsFetch({ ca: pki.ca.cert, ...pki["kiosk-0002"] });
  const dir = await Deno.makeTempDir({ prefix: "kiosk-print-" });
  try {
    const centerUrl = `https://localhost:${(await center.ready).port}`;
    const keyList = await w.jlis.signer.keyList();
    const head = await w.moveIn(CODE, {
      name: "印刷　一郎",
      birthDate: "1970-01-01",
    });
    const householdId = await w.householdOf(CODE, head);
    await w.moveIn(CODE, {
      name: "印刷　花子",
      birthDate: "1972-02-02",
      sex: "female",
    }, { householdId, relationship: "妻" });
    await w.moveIn(CODE, { name: "印刷　太郎", birthDate: "2000-03-03" }, {
      householdId,
      relationship: "子",
    });
    const sealed = await w.moveIn(CODE, {
      name: "印影　壊子",
      birthDate: "1980-04-04",
      sex: "female",
    });
    const headCard = await w.issueCard(CODE, head);
    const sealedCard = await w.issueCard(CODE, sealed);
    // A registration the registry took before it decoded images: the PNG
    // signature, then garbage.
    const reg = await w.reg.call(
      "POST",
      `/municipalities/${CODE}/residents/${sealed}/seals`,
      {
        body: {
          impressionPng: sealImpressionPng("印影").toBase64(),
          date: "2026-11-21",
        },
      },
    );
    assert.equal(reg.status, 201, await reg.text());
    const garbage = new Uint8Array(200).fill(0x5a);
    garbage.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await w.reg.database.db.update(sealRegistrations).set({
      impressionPng: garbage,
      printPng: null,
      compactPng: null,
    }).where(eq(sealRegistrations.residentId, sealed));
    await w.sync();
    const real = await createRenderer();
    /** The head's 住民票 printed at a kiosk over mutual TLS: its receipt. */
    const print = async (
      kiosk: Partial<KioskOptions>,
      choice: Omit<KioskChoice, "card" | "pin" | "type">,
    ) =>
      receipt(
        await w.kiosk({
          centerUrl,
          fetch: kioskTls,
          token: undefined,
          keyList,
          ...kiosk,
        }).run({ card: headCard, pin: "1234", type: "juminhyo", ...choice }),
      );

    await t.step(
      "a household's last sheet cannot be rendered: the print stops, its copy is voided and refunded, nothing printed (print_failed, RENDER_FAILED)",
      async () => {
        const events: KioskEvent[] = [];
        const pdfPath = `${dir}/household.pdf`;
        const r = await print(
          {
            renderer: () => Promise.resolve(failingLastSheet(real)),
            onEvent: (e) => events.push(e),
          },
          {
            members: "all",
            pdfPath,
          },
        );
        const n = r.pages;
        assert.ok(n >= 2, `a household of three prints ${n} sheet(s)`);
        const all = Array.from({ length: n }, (_, i) => i + 1);
        // One copy: the copy containing the failed sheet is voided whole.
        assert.deepEqual(r.delivered, []);
        assert.deepEqual(r.voided, all);
        assert.equal(r.refund, FEE.juminhyo);
        assert.equal(r.fee, 0);
        assert.deepEqual(r.copies.map((c) => [c.status, c.refund]), [[
          "voided",
          FEE.juminhyo,
        ]]);
        assert.equal(r.printFailure?.page, n);
        assert.equal(r.printFailure?.reason, "RENDER_FAILED");
        assert.match(r.printFailure!.message_ja, new RegExp(`${n}枚目`));
        assert.ok(
          events.some((e) =>
            e.kind === "screen" && /印刷できませんでした/.test(e.message_ja)
          ),
          "the screen says the sheet was not printed",
        );
        // Nothing of the voided copy printed.
        assert.equal(r.pdfPath, undefined);
        await assert.rejects(Deno.stat(pdfPath), Deno.errors.NotFound);

        const rows = await entries(w, r.issueNumber);
        assert.deepEqual(rows.map((e) => e.kind), ["issued", "voided"]);
        const data = rows[1].data as Record<string, unknown>;
        assert.equal(data.reason, "print_failed");
        assert.equal(data.printFailure, "RENDER_FAILED");
        assert.equal(data.failedPage, n);
        assert.deepEqual(data.pages, all);
        assert.deepEqual(data.delivered, []);
        assert.equal(data.refund, FEE.juminhyo);
        assert.equal(data.kioskId, "kiosk-0002");
        assert.equal(data.jammedPage, undefined);
        const status = await issueStatus(
          w.jlis.databases[0].db,
          r.issueNumber,
        );
        assert.equal(status.status, "voided");
      },
    );

    await t.step(
      "部数 2, a sheet of copy 2 cannot be rendered: copy 1 delivered and printed, copy 2 voided and refunded (print_failed)",
      async () => {
        const pdfPath = `${dir}/copies.pdf`;
        const r = await print(
          {
            renderer: () => Promise.resolve(failingInCopy2(real)),
          },
          {
            members: "all",
            copies: 2,
            pdfPath,
          },
        );
        assert.equal(r.copies.length, 2);
        const n = r.copies[0].pages.length;
        assert.ok(n >= 2, `a household of three prints ${n} sheet(s) a copy`);
        const copy1 = Array.from({ length: n }, (_, i) => i + 1);
        const copy2 = copy1.map((p) => p + n);
        assert.deepEqual(
          r.copies.map((c) => [c.copy, c.status, c.pages, c.fee, c.refund]),
          [
            [1, "delivered", copy1, FEE.juminhyo, 0],
            [2, "voided", copy2, 0, FEE.juminhyo],
          ],
        );
        assert.deepEqual(r.delivered, copy1);
        assert.deepEqual(r.voided, copy2);
        assert.equal(r.fee, FEE.juminhyo);
        assert.equal(r.refund, FEE.juminhyo);
        assert.deepEqual(
          { page: r.printFailure?.page, reason: r.printFailure?.reason },
          { page: 2 * n, reason: "RENDER_FAILED" },
        );
        // Copy 1 printed, front and back of each of its sheets; copy 2 not.
        assert.equal(r.pdfPath, pdfPath);
        assert.equal(await pdfPages(pdfPath), n * 2);

        const [first, second] = r.copies;
        const rows1 = await entries(w, first.issueNumber);
        assert.deepEqual(rows1.map((e) => e.kind), ["issued", "delivered"]);
        const rows2 = await entries(w, second.issueNumber);
        assert.deepEqual(rows2.map((e) => e.kind), ["issued", "voided"]);
        const data = rows2[1].data as Record<string, unknown>;
        assert.equal(data.reason, "print_failed");
        assert.equal(data.printFailure, "RENDER_FAILED");
        assert.equal(data.copy, 2);
        assert.equal(data.failedPage, n); // its own last sheet
        assert.deepEqual(data.pages, copy1);
        assert.equal(data.refund, FEE.juminhyo);
        const db = w.jlis.databases[0].db;
        assert.equal(
          (await issueStatus(db, first.issueNumber)).status,
          "valid",
        );
        assert.equal(
          (await issueStatus(db, second.issueNumber)).status,
          "voided",
        );
      },
    );

    await t.step(
      "部数 3, a jam on copy 2 and a sheet of copy 3 not rendered: one stop — copy 1 delivered, copies 2 and 3 voided (print_failed)",
      async () => {
        const pdfPath = `${dir}/jam-and-failure.pdf`;
        const r = await print(
          {
            // The jammed copy is not printed: the second document is copy 3.
            renderer: () => Promise.resolve(failingInCopy2(real)),
          },
          {
            copies: 3,
            jamCopy: 2,
            pdfPath,
          },
        );
        assert.deepEqual(r.copies.map((c) => c.status), [
          "delivered",
          "voided",
          "voided",
        ]);
        assert.deepEqual(r.delivered, [1]);
        assert.deepEqual(r.voided, [2, 3]);
        assert.equal(r.fee, FEE.juminhyo);
        assert.equal(r.refund, 2 * FEE.juminhyo);
        assert.deepEqual(
          { page: r.printFailure?.page, reason: r.printFailure?.reason },
          { page: 2, reason: "RENDER_FAILED" },
        );
        assert.equal(await pdfPages(pdfPath), 2);
        const reasons = [];
        for (const c of r.copies.slice(1)) {
          const rows = await entries(w, c.issueNumber);
          const data = rows.at(-1)!.data as Record<string, unknown>;
          reasons.push([rows.at(-1)!.kind, data.reason, data.failedPage]);
        }
        assert.deepEqual(reasons, [
          ["voided", "print_failed", 1],
          ["voided", "print_failed", undefined],
        ]);
      },
    );

    await t.step(
      "部数 2, the PDF cannot be written: nothing printed, every copy voided and refunded (WRITE_FAILED)",
      async () => {
        const pdfPath = `${dir}/no-such-folder/out.pdf`;
        const r = await print(
          {},
          {
            copies: 2,
            pdfPath,
          },
        );
        assert.deepEqual(r.delivered, []);
        assert.deepEqual(r.voided, [1, 2]);
        assert.equal(r.fee, 0);
        assert.equal(r.refund, 2 * FEE.juminhyo);
        assert.deepEqual(r.copies.map((c) => c.status), ["voided", "voided"]);
        assert.equal(r.pdfPath, undefined);
        assert.deepEqual(
          { page: r.printFailure?.page, reason: r.printFailure?.reason },
          { page: 1, reason: "WRITE_FAILED" },
        );
        for (const c of r.copies) {
          const rows = await entries(w, c.issueNumber);
          const data = rows.at(-1)!.data as Record<string, unknown>;
          assert.equal(rows.at(-1)!.kind, "voided");
          assert.equal(data.reason, "print_failed");
          assert.equal(data.printFailure, "WRITE_FAILED");
          assert.equal(data.refund, FEE.juminhyo);
        }
      },
    );

    await t.step(
      "an undecodable seal reaches the kiosk: `deno task kiosk` exits with the kiosk's message, nothing printed, the 印鑑登録証明書 voided and refunded",
      async () => {
        const files = {
          cert: `${dir}/kiosk.pem`,
          key: `${dir}/kiosk-key.pem`,
          ca: `${dir}/ca.pem`,
          keys: `${dir}/jlis-keys.json`,
        };
        await Deno.writeTextFile(files.cert, pki["kiosk-0002"].cert);
        await Deno.writeTextFile(files.key, pki["kiosk-0002"].key);
        await Deno.writeTextFile(files.ca, pki.ca.cert);
        await Deno.writeTextFile(files.keys, JSON.stringify(keyList));
        const out = `${dir}/inkan.pdf`;
        const before = (await w.jlis.databases[0].db.select().from(
          issuanceRequests,
        )).map((q) => q.requestId);
        const cli = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--no-check",
            "scripts/kiosk.ts",
            ...["--card", sealedCard.path, "--pin", "1234", "--type", "inkan"],
            ...["--out", out, "--center", centerUrl],
            ...["--cert", files.cert, "--key", files.key, "--ca", files.ca],
            ...["--keys", files.keys],
          ],
          cwd: new URL("..", import.meta.url),
          env: { LOG_LEVEL: "error", NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stdout = new TextDecoder().decode(cli.stdout);
        const stderr = new TextDecoder().decode(cli.stderr);
        const said = `stdout:\n${stdout}\nstderr:\n${stderr}`;
        assert.equal(cli.code, 1, said);
        assert.doesNotMatch(stderr, /Uncaught|error: /, said);
        assert.match(
          stdout,
          /画面: 証明書（1枚目）を印刷できませんでした/,
          said,
        );
        assert.match(stdout, /delivered none; voided 1/, said);
        assert.match(stdout, /fee 0 yen \(refunded 200 yen\)/, said);
        assert.match(stderr, /print failed \(RENDER_FAILED, sheet 1\)/, said);
        // The kiosk's log names the page and the error's class, no content.
        assert.match(stderr, /page not rendered: print stopped/, said);
        assert.doesNotMatch(stderr, /印影|壊子/, said);
        await assert.rejects(Deno.stat(out), Deno.errors.NotFound);

        const fresh = (await w.jlis.databases[0].db.select().from(
          issuanceRequests,
        )).filter((q) => !before.includes(q.requestId));
        assert.equal(fresh.length, 1);
        assert.equal(fresh[0].type, "inkan");
        assert.equal(fresh[0].state, "voided");
        const rows = await entries(w, fresh[0].issueNumber!);
        assert.deepEqual(rows.map((e) => e.kind), ["issued", "voided"]);
        const data = rows[1].data as Record<string, unknown>;
        assert.equal(data.reason, "print_failed");
        assert.equal(data.printFailure, "RENDER_FAILED");
        assert.deepEqual(data.delivered, []);
        assert.deepEqual(data.pages, [1]);
        assert.equal(data.refund, FEE.inkan);
      },
    );
  } finally {
    kioskTls.close();
    await center.close();
    await w.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
