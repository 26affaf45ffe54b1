/**
 * The store kiosk (multi-function printer) as a program: reads the card,
 * takes the PIN, talks to the J-LIS center, prints both sides, reports the
 * print to the center's ledger, and raises the alarm when the card or the
 * paper is left behind.
 *
 * One run:
 * 1. `POST /kiosk/sessions` → a nonce; the card checks the PIN and signs it
 *    (a wrong PIN or a locked card is refused by the card itself);
 * 2. `POST /kiosk/sessions/{id}/authenticate` → the card's municipality;
 * 3. `POST /kiosk/sessions/{id}/certificates` → the released document
 *    (sheets and back sides), or a refusal code with the Japanese message;
 * 4. print (render front + back to PDF: lib/render), a jam stops the print at
 *    that page;
 * 5. `POST /kiosk/requests/{requestId}/outcome` → delivered pages, voided
 *    pages and the refund, as the ledger recorded them.
 *
 * Every answer of the center is checked against its signature
 * (`X-Center-Signature`, key list from `GET /keys`) and parsed with the
 * protocol's schema (lib/contracts/kiosk_center.ts) before it is used; an
 * answer that fails either is an error, never printed.
 *
 * @module
 */
import { type Card, CardError } from "../../lib/card/card.ts";
import type { KeyList } from "../../lib/crypto/key_list.ts";
import { parseKeyList } from "../../lib/crypto/key_list.ts";
import type { Renderer } from "../../lib/render/mod.ts";
import type {
  BackSide,
  CertificateType,
  JuminhyoOptions,
  SheetContent,
} from "../../lib/certificate/model.ts";
import {
  cardAuthenticationSchema,
  kioskSessionSchema,
  printOutcomeSchema,
  releasedDocumentSchema,
  verifyCenterResponse,
} from "../../lib/contracts/kiosk_center.ts";
import { decodeBackSide, decodeSheet } from "../../lib/contracts/sheet_wire.ts";
import { parseMessage } from "../../lib/contracts/wire.ts";

/** How the kiosk reaches the center. */
export interface KioskOptions {
  /** The center's base URL (ignored by an in-process `fetch`). */
  centerUrl: string;
  /** This kiosk's bearer token at the center. */
  token: string;
  /** HTTP client (default `fetch`; mTLS or in-process in tests). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** The center's response-signing keys (default: fetched from `/keys` once). */
  keyList?: KeyList;
  /**
   * Check the center's signature on every answer (default true), or only on
   * the released document ("document": load generators).
   */
  verifySignatures?: boolean | "document";
  /** Renders the print (needed only to write a PDF). */
  renderer?: () => Promise<Renderer>;
  /** Kiosk events (screens, alarms), in order. */
  onEvent?: (e: KioskEvent) => void;
}

/** Something the kiosk shows or sounds. */
export type KioskEvent =
  | { kind: "screen"; message_ja: string }
  | { kind: "alarm"; what: "card" | "paper"; message_ja: string };

/** What the applicant chooses at the kiosk. */
export interface KioskChoice {
  card: Card;
  pin: string;
  type: CertificateType;
  members?: "self" | "all" | string[];
  options?: Partial<JuminhyoOptions>;
  /**
   * Simulate a paper jam on this page (1-based; -1: the last): it and later
   * pages are voided.
   */
  jamPage?: number | null;
  /** Write the printed pages (front and back) here. */
  pdfPath?: string;
  /** The applicant walks away without the card / the paper. */
  leaveCard?: boolean;
  leavePaper?: boolean;
  /** How long the kiosk waits before sounding an alarm (default 10 s). */
  alarmAfterMs?: number;
}

/** A refusal, by the card or by the center. */
export interface KioskRefusal {
  ok: false;
  /** Where it was refused. */
  stage: "card" | "session" | "authenticate" | "certificate" | "outcome";
  code: string;
  message_ja: string;
  message_en: string;
  status?: number;
  /** Card refusals: wrong PINs still allowed. */
  remainingTries?: number;
}

/** A completed run. */
export interface KioskReceipt {
  ok: true;
  requestId: string;
  issueNumber: string;
  municipalityCode: string;
  pages: number;
  delivered: number[];
  voided: number[];
  /** Yen charged after any refund. */
  fee: number;
  refund: number;
  /** Who is on each printed page (resident ids, for tests and the summary). */
  subjects: string[];
  /** The released document, decoded on first read (tests check it). */
  readonly sheets: SheetContent[];
  readonly backs: BackSide[];
  pdfPath?: string;
  alarms: ("card" | "paper")[];
}

/** A kiosk. */
export interface Kiosk {
  run(choice: KioskChoice): Promise<KioskReceipt | KioskRefusal>;
}

const ALARM_MESSAGES = {
  card: "カードのお取り忘れにご注意ください。カードをお取りください。",
  paper: "証明書のお取り忘れにご注意ください。用紙をお取りください。",
} as const;

/**
 * Creates a kiosk.
 *
 * @example
 * ```ts ignore
 * const kiosk = createKiosk({ centerUrl: "http://127.0.0.1:8103", token: "dev-jlis-kiosk-0001" });
 * const r = await kiosk.run({ card, pin: "1234", type: "juminhyo", members: "all", pdfPath: "out.pdf" });
 * ```
 */
export function createKiosk(opts: KioskOptions): Kiosk {
  const f = opts.fetch ?? ((input, init) => fetch(input, init));
  const verify = opts.verifySignatures ?? true;
  const emit = (e: KioskEvent) => opts.onEvent?.(e);
  let keyList: Promise<KeyList> | undefined = opts.keyList
    ? Promise.resolve(opts.keyList)
    : undefined;
  const keys = () =>
    keyList ??= (async () => {
      const res = await f(`${opts.centerUrl}/keys`);
      if (res.status !== 200) {
        throw new Error(`GET /keys: ${res.status}`);
      }
      return parseKeyList(await res.json());
    })();

  async function call(
    method: "POST",
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await f(`${opts.centerUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${opts.token}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify(body),
    });
    if (
      verify === true || (verify === "document" && /\/certificates$/.test(path))
    ) {
      const v = await verifyCenterResponse(res, {
        method,
        path,
        keyList: await keys(),
      });
      if (!v.ok) {
        await res.body?.cancel();
        throw new Error(
          `The center's answer to ${method} ${path} is not signed by the center (${v.reason})`,
        );
      }
    }
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { code: "NOT_JSON", message_en: text.slice(0, 200) };
    }
    return { status: res.status, body: parsed };
  }

  const refused = (
    stage: KioskRefusal["stage"],
    r: { status: number; body: Record<string, unknown> },
  ): KioskRefusal => {
    const out: KioskRefusal = {
      ok: false,
      stage,
      code: String(r.body.code ?? "ERROR"),
      message_ja: String(r.body.message_ja ?? "エラーが発生しました。"),
      message_en: String(r.body.message_en ?? ""),
      status: r.status,
    };
    emit({ kind: "screen", message_ja: out.message_ja });
    return out;
  };

  return {
    async run(choice) {
      const session = await call("POST", "/kiosk/sessions", {});
      if (session.status !== 201) return refused("session", session);
      const offer = parseMessage(
        kioskSessionSchema,
        session.body,
        "The center's session",
      );
      const sessionId = offer.sessionId;
      let signature: Uint8Array;
      try {
        signature = await choice.card.sign(choice.pin, offer.nonce);
      } catch (err) {
        if (!(err instanceof CardError)) throw err;
        emit({ kind: "screen", message_ja: err.ja });
        return {
          ok: false,
          stage: "card",
          code: err.code,
          message_ja: err.ja,
          message_en: err.en,
          remainingTries: err.remainingTries,
        };
      }
      const auth = await call(
        "POST",
        `/kiosk/sessions/${sessionId}/authenticate`,
        {
          certificatePem: choice.card.certificatePem,
          signature: signature.toBase64(),
        },
      );
      if (auth.status !== 200) return refused("authenticate", auth);
      parseMessage(
        cardAuthenticationSchema,
        auth.body,
        "The center's authentication",
      );
      const issued = await call(
        "POST",
        `/kiosk/sessions/${sessionId}/certificates`,
        {
          type: choice.type,
          members: choice.members ?? "self",
          options: {
            honseki: choice.options?.honseki ?? false,
            zokugara: choice.options?.zokugara ?? false,
            myNumber: choice.options?.myNumber ?? false,
          },
        },
      );
      if (issued.status !== 200) return refused("certificate", issued);
      const doc = parseMessage(
        releasedDocumentSchema,
        issued.body,
        "The released document",
      );
      // Decoded when first needed (printing, or the caller reading them).
      let sheets: SheetContent[] | undefined;
      let backs: BackSide[] | undefined;
      const decodedSheets = () => sheets ??= doc.sheets.map(decodeSheet);
      const decodedBacks = () => backs ??= doc.backs.map(decodeBackSide);
      const jam = choice.jamPage === -1 ? doc.pages : choice.jamPage ?? null;
      const printed = jam === null ? doc.pages : Math.min(jam - 1, doc.pages);
      let pdfPath: string | undefined;
      if (choice.pdfPath && printed > 0) {
        if (!opts.renderer) {
          throw new TypeError("Writing a PDF needs a renderer");
        }
        // Only the sheets that came out of the printer, front and back.
        const renderer = await opts.renderer();
        const pdf = renderer.pdf(
          { requestId: doc.requestId, sheets: decodedSheets() },
          decodedBacks(),
          { sheets: printed },
        );
        await Deno.writeFile(choice.pdfPath, pdf);
        pdfPath = choice.pdfPath;
      }
      if (jam !== null) {
        emit({
          kind: "screen",
          message_ja:
            `用紙が詰まりました（${jam}枚目）。詰まった用紙は無効となり、店員が「無効」と押印してお返しします。該当分の料金は返金します。`,
        });
      }
      const outcome = await call(
        "POST",
        `/kiosk/requests/${doc.requestId}/outcome`,
        { jammedPage: jam },
      );
      if (outcome.status !== 200) return refused("outcome", outcome);
      const o = parseMessage(
        printOutcomeSchema,
        outcome.body,
        "The center's print outcome",
      );
      const alarms: ("card" | "paper")[] = [];
      const left: ("card" | "paper")[] = [];
      if (choice.leaveCard) left.push("card");
      if (choice.leavePaper && o.delivered.length) left.push("paper");
      if (left.length) {
        await new Promise((r) => setTimeout(r, choice.alarmAfterMs ?? 10_000));
        for (const what of left) {
          alarms.push(what);
          emit({ kind: "alarm", what, message_ja: ALARM_MESSAGES[what] });
        }
      }
      return {
        ok: true,
        requestId: doc.requestId,
        issueNumber: doc.issueNumber,
        municipalityCode: doc.municipalityCode,
        pages: doc.pages,
        delivered: o.delivered,
        voided: o.voided,
        fee: o.fee,
        refund: o.refund,
        subjects: doc.sheets.map((s) => s.subject.residentId),
        get sheets() {
          return decodedSheets();
        },
        get backs() {
          return decodedBacks();
        },
        pdfPath,
        alarms,
      };
    },
  };
}
