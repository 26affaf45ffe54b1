/**
 * Factories for the portal's tests: an app on fakes (decoder, ledger,
 * audit, clock), a plain page-sized PNG that passes the file checks, and
 * helpers to post the upload form the way a browser does.
 *
 * @module
 */
import sharp from "sharp";
import type { ScanVerification } from "../../lib/backside/decode_scan.ts";
import { reason } from "../../lib/backside/reasons.ts";
import type { SheetContent } from "../../lib/certificate/model.ts";
import { silentLogger } from "../../lib/service/logger.ts";
import { fakeClock } from "../../lib/time/clock.ts";
import {
  createPortalApp,
  type PortalApp,
  type PortalDeps,
} from "../../services/portal/app.ts";
import { memoryAuditSink } from "../../services/portal/audit.ts";
import { createApiKeyRegistry } from "../../services/portal/clients.ts";
import type { LedgerStatus } from "../../services/portal/verdicts.ts";

/** The API key of the test bank. */
export const BANK_KEY = "test-bank-key-0123456789";

/** A test portal and its fakes. */
export interface TestPortal {
  app: PortalApp;
  audit: ReturnType<typeof memoryAuditSink>;
  clock: ReturnType<typeof fakeClock>;
  /** Ledger answers by issue number; "valid" when absent. */
  ledger: Map<string, LedgerStatus | "down" | "hang">;
}

/**
 * Builds a portal. Without `decode`, the real decoder runs.
 *
 * @example
 * ```ts
 * const { app, audit } = await makeTestPortal({ decode: fakeDecode("genuine") });
 * ```
 */
export async function makeTestPortal(
  overrides: Partial<PortalDeps> = {},
): Promise<TestPortal> {
  const audit = memoryAuditSink();
  const clock = fakeClock("2026-12-01T10:00:00+09:00");
  const ledger = new Map<string, LedgerStatus | "down" | "hang">();
  const app = await createPortalApp({
    keyList: { keys: [] },
    decryptionKeys: [],
    statusLookup: (n) => {
      const s = ledger.get(n) ?? "valid";
      if (s === "down") return Promise.reject(new Error("ledger down"));
      if (s === "hang") return new Promise(() => {});
      return Promise.resolve(s);
    },
    statusTimeoutMs: 200,
    audit,
    clock,
    logger: silentLogger(),
    apiKeys: await createApiKeyRegistry([
      { id: "bank-a", key: BANK_KEY, capacity: 1000, perMinute: 1000 },
    ]),
    anonymousRate: { capacity: 1000, perMinute: 1000 },
    secret: new Uint8Array(32).fill(7),
    ...overrides,
  });
  return { app, audit, clock, ledger };
}

let blank: Uint8Array | undefined;

/**
 * A white A4 page at 75 dpi (620 × 877) as PNG: passes the file checks.
 *
 * @example
 * ```ts
 * const png = await pagePng();
 * ```
 */
export async function pagePng(): Promise<Uint8Array> {
  if (!blank) {
    const buf = await sharp({
      create: { width: 620, height: 877, channels: 3, background: "#ffffff" },
    }).png().toBuffer();
    blank = new Uint8Array(buf);
  }
  return blank.slice();
}

/** A small fake sheet. */
export function fakeSheet(
  issueNumber = "401005-20261126-000777",
): SheetContent {
  return {
    templateVersion: 1,
    type: "juminhyo",
    issueNumber,
    issuedAt: "2026-11-26T10:15:00+09:00",
    municipality: {
      code: "401005",
      name: "北九州市",
      mayor: "北九州市長　北橋　健治",
    },
    options: { honseki: false, zokugara: false, myNumber: false },
    page: 1,
    pages: 1,
    subject: {
      residentId: "R1",
      name: "試験　花子",
      nameKana: "しけん　はなこ",
      birthDate: "1980-01-01",
      sex: "female",
      address: "福岡県北九州市小倉北区城内１番１号",
      becameResidentDate: "2001-04-01",
      addressSetDate: "2001-04-01",
      notifiedDate: "2001-04-02",
    },
  };
}

/**
 * A fake decoder answering one lib verdict (genuine with a sheet and a
 * front image).
 *
 * @example
 * ```ts
 * await makeTestPortal({ decode: fakeDecode("tampered") });
 * ```
 */
export function fakeDecode(
  verdict: ScanVerification["verdict"],
  issueNumber = "401005-20261126-000777",
): NonNullable<PortalDeps["decode"]> {
  const codes = {
    genuine: "GENUINE",
    tampered: "SIGNATURE_INVALID",
    "unknown-key": "KEY_UNKNOWN",
    "not-a-certificate": "NO_CERTIFICATE_SYMBOLS",
    unreadable: "TOO_BLURRY",
  } as const;
  return () => {
    const base: ScanVerification = {
      verdict,
      reason: reason(codes[verdict], { keyId: "k-rogue" }),
      stats: { pages: 1, passes: 1, symbolsRead: 0, ms: 1 },
    };
    if (verdict === "genuine") {
      base.certificate = fakeSheet(issueNumber);
      base.issueNumber = issueNumber;
      base.keyId = "k1";
      base.frontImagePng = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    }
    if (verdict === "unknown-key" || verdict === "tampered") {
      base.issueNumber = issueNumber;
      base.keyId = "k-rogue";
    }
    return Promise.resolve(base);
  };
}

/**
 * Loads the start page and returns its CSRF cookie and token.
 *
 * @example
 * ```ts ignore
 * const { cookie, token } = await openStartPage(app);
 * ```
 */
export async function openStartPage(
  app: PortalApp,
  query = "",
): Promise<{ cookie: string; token: string; html: string; res: Response }> {
  const res = await app.request(`/${query}`);
  const html = await res.text();
  const set = res.headers.getSetCookie().find((c) =>
    c.startsWith("portal_csrf=")
  );
  const cookie = set!.split(";")[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(html)![1];
  return { cookie, token, html, res };
}

/**
 * Posts the upload form like a browser (multipart, same origin).
 *
 * @example
 * ```ts ignore
 * const res = await postForm(app, await pagePng(), { cookie, token });
 * ```
 */
export async function postForm(
  app: PortalApp,
  scan: Uint8Array | undefined,
  opts: {
    cookie?: string;
    token?: string;
    lang?: string;
    name?: string;
    headers?: HeadersInit;
  } = {},
): Promise<Response> {
  const form = new FormData();
  if (opts.token !== undefined) form.set("_csrf", opts.token);
  form.set("lang", opts.lang ?? "ja");
  if (scan) {
    form.set("scan", new File([new Uint8Array(scan)], opts.name ?? "scan.png"));
  }
  const headers = new Headers(opts.headers);
  if (opts.cookie) headers.set("cookie", opts.cookie);
  headers.set("origin", "http://localhost");
  return await app.request("/verify", { method: "POST", body: form, headers });
}

/**
 * Posts a scan to the API.
 *
 * @example
 * ```ts ignore
 * const res = await postApi(app, bytes, { key: BANK_KEY });
 * ```
 */
export async function postApi(
  app: PortalApp,
  scan: Uint8Array | undefined,
  opts: { key?: string; field?: string; name?: string } = {},
): Promise<Response> {
  const form = new FormData();
  if (scan) {
    form.set(
      opts.field ?? "scan",
      new File([new Uint8Array(scan)], opts.name ?? "scan.bin"),
    );
  }
  return await app.request("/api/verify", {
    method: "POST",
    body: form,
    headers: opts.key ? { "X-API-Key": opts.key } : {},
  });
}
