/**
 * A demo center for the portal on its own (`deno task portal`), and the
 * sample scans that reach every verdict — used by the demo, the tests and
 * the bench. The center has a fresh signing key and content key; its ledger
 * marks one sheet voided and one revoked.
 *
 * @module
 */
import { backSideToPng } from "../../lib/backside/rasterize.ts";
import { buildBackSide } from "../../lib/backside/build_back_side.ts";
import { writeSymbol } from "../../lib/backside/zxing.ts";
import type { BackSide } from "../../lib/certificate/model.ts";
import {
  type ContentKey,
  generateContentKey,
} from "../../lib/crypto/content_key.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import {
  createSigner,
  generateSigningKey,
  type Signer,
} from "../../lib/crypto/signer.ts";
import { makeSampleSheet } from "../../lib/scan/sample_sheets.ts";
import type { RunningPortal } from "./main.ts";
import { PORTAL_VERDICTS, type PortalVerdict } from "./verdicts.ts";
import type { StatusLookup } from "./verify.ts";

/** When the sample sheets were issued. */
export const DEMO_ISSUED_AT = new Date("2026-11-26T10:15:00+09:00");

/** A center: signer, content key, key list, ledger. */
export interface DemoCenter {
  signer: Signer;
  contentKey: ContentKey;
  keyList: KeyList;
  /** Ledger statuses by issue number ("valid" when absent). */
  ledger: Map<string, "voided" | "revoked" | "unknown">;
  statusLookup: StatusLookup;
}

async function signer(): Promise<Signer> {
  return await createSigner([
    await generateSigningKey({
      notBefore: new Date("2026-01-01T00:00:00+09:00"),
      notAfter: new Date("2027-12-31T23:59:59+09:00"),
    }),
  ], { clock: { now: () => DEMO_ISSUED_AT } });
}

/**
 * Creates a demo center.
 *
 * @example
 * ```ts
 * const center = await makeDemoCenter();
 * center.ledger.set("401005-20261126-000002", "voided");
 * ```
 */
export async function makeDemoCenter(): Promise<DemoCenter> {
  const s = await signer();
  const ledger = new Map<string, "voided" | "revoked" | "unknown">();
  return {
    signer: s,
    contentKey: await generateContentKey("enc-demo-1"),
    keyList: await s.keyList(),
    ledger,
    statusLookup: (n) => Promise.resolve(ledger.get(n) ?? "valid"),
  };
}

/** Scan resolution of the samples (a typical office scan). */
const DPI = 200;

/**
 * Builds a back side scan (grayscale PNG, 200 dpi) of a sample sheet.
 *
 * @example
 * ```ts ignore
 * const png = await sampleScan(center, { seed: 1 });
 * ```
 */
export async function sampleScan(
  center: DemoCenter,
  options: { seed: number; type?: "juminhyo" | "inkan"; signer?: Signer },
): Promise<{ png: Uint8Array; issueNumber: string; back: BackSide }> {
  const sheet = await makeSampleSheet({
    type: options.type ?? "juminhyo",
    seed: options.seed,
  });
  const back = await buildBackSide(sheet, {
    signer: options.signer ?? center.signer,
    encryptionKey: center.contentKey,
  });
  return {
    png: await backSideToPng(back, { dpi: DPI }),
    issueNumber: sheet.issueNumber,
    back,
  };
}

/** A scan that reaches a verdict. */
export interface VerdictScan {
  verdict: PortalVerdict;
  /** The reason code expected. */
  reason: string;
  png: Uint8Array;
  issueNumber?: string;
}

/**
 * One scan per verdict (or per verdict of `only`), in the order of
 * `PORTAL_VERDICTS`. Registers the voided and revoked sheets in the
 * center's ledger.
 *
 * @example
 * ```ts ignore
 * const [revoked] = await verdictScans(center, { only: ["revoked"] });
 * ```
 */
export async function verdictScans(
  center: DemoCenter,
  options: { only?: readonly PortalVerdict[] } = {},
): Promise<VerdictScan[]> {
  const blank: BackSide = { keyId: "", issueNumber: "", symbols: [] };
  const builders: Record<PortalVerdict, () => Promise<VerdictScan>> = {
    genuine: async () => ({
      verdict: "genuine",
      reason: "GENUINE",
      ...await sampleScan(center, { seed: 601 }),
    }),
    voided: async () => {
      const s = await sampleScan(center, { seed: 602, type: "inkan" });
      center.ledger.set(s.issueNumber, "voided");
      return { verdict: "voided", reason: "VOIDED", ...s };
    },
    revoked: async () => {
      const s = await sampleScan(center, { seed: 603 });
      center.ledger.set(s.issueNumber, "revoked");
      return { verdict: "revoked", reason: "REVOKED", ...s };
    },
    tampered: async () => {
      // Half the symbols of one certificate, half of another.
      const a = await sampleScan(center, { seed: 604 });
      const b = await sampleScan(center, { seed: 605 });
      const half = a.back.symbols.length / 2;
      const mixed: BackSide = {
        ...a.back,
        symbols: [
          ...a.back.symbols.slice(0, half),
          ...b.back.symbols.slice(half),
        ],
      };
      return {
        verdict: "tampered",
        reason: "SYMBOLS_MIXED",
        png: await backSideToPng(mixed, { dpi: DPI }),
      };
    },
    "unknown-key": async () => {
      const rogue = await sampleScan(center, {
        seed: 606,
        signer: await signer(),
      });
      return {
        verdict: "unknown-key",
        reason: "KEY_UNKNOWN",
        png: rogue.png,
        issueNumber: rogue.issueNumber,
      };
    },
    "not-a-certificate": async () => {
      const url = await writeSymbol(
        new TextEncoder().encode("https://example.jp/"),
        { symbology: "QRCode", ecLevel: "M" },
      );
      const foreign: BackSide = {
        ...blank,
        symbols: [{ x: 60, y: 80, moduleSize: 1, ...url }],
      };
      return {
        verdict: "not-a-certificate",
        reason: "FOREIGN_SYMBOLS",
        png: await backSideToPng(foreign, { dpi: DPI }),
      };
    },
    unreadable: async () => ({
      verdict: "unreadable",
      reason: "BLANK_IMAGE",
      png: await backSideToPng(blank, { dpi: DPI }),
    }),
  };
  const wanted = PORTAL_VERDICTS.filter((v) =>
    !options.only || options.only.includes(v)
  );
  const out: VerdictScan[] = [];
  for (const v of wanted) out.push(await builders[v]());
  return out;
}

/**
 * Starts the portal with a demo center and writes one sample scan per
 * verdict to `data/portal/demo/`.
 *
 * @example
 * ```ts ignore
 * const portal = await startDemoPortal();
 * ```
 */
export async function startDemoPortal(): Promise<RunningPortal> {
  const { startPortal } = await import("./main.ts");
  const center = await makeDemoCenter();
  const dir = "data/portal/demo";
  await Deno.mkdir(dir, { recursive: true });
  const scans = await verdictScans(center);
  for (const s of scans) await Deno.writeFile(`${dir}/${s.verdict}.png`, s.png);
  const portal = await startPortal({
    keyList: center.keyList,
    decryptionKeys: [center.contentKey],
    statusLookup: center.statusLookup,
  });
  console.log(`portal (照合サイト): ${portal.url}
  sample scans, one per verdict: ${dir}/{${
    scans.map((s) => s.verdict).join(",")
  }}.png
  API: curl -F scan=@${dir}/genuine.png -H "X-API-Key: dev-portal-bank-key-0001" ${portal.url}/api/verify
  key list: ${portal.url}/.well-known/konbini-keys.json`);
  return portal;
}
