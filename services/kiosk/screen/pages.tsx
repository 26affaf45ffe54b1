/**
 * The kiosk's screens, server-rendered Preact: Japanese first, English
 * beneath in smaller type. Every step is a plain form (the PIN pad's keys
 * alone need JavaScript; without it the PIN field takes the keyboard).
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import {
  CERTIFICATE_CATALOGUE,
  CERTIFICATE_TYPES,
  type CertificateType,
} from "../../../lib/certificate/types/mod.ts";
import type { JuminhyoOptions } from "../../../lib/certificate/model.ts";
import { MAX_COPIES } from "../../../lib/contracts/kiosk_center.ts";
import type { KioskRefusal } from "../kiosk.ts";
import { type FeeQuote, quoteFee } from "../fee_quote.ts";
import type { ScreenResult, ScreenSession } from "./sessions.ts";

/** A text in both languages. */
interface Bilingual {
  ja: string;
  en: string;
}

/** A card file offered on the first screen. */
export interface CardChoice {
  /** File name in the cards folder. */
  file: string;
  /** The file name without `.card.json`. */
  label: string;
  /** An earlier card's certificate extension (cards issued now name none). */
  municipalityCode?: string;
  /** No PIN tries left. */
  locked?: boolean;
  /** The file could not be read as a card. */
  unreadable?: boolean;
}

/** The items a 住民票 may carry, as the screen names them. */
export const OPTION_TEXT = {
  honseki: {
    ja: "本籍・筆頭者",
    en: "Registered domicile and head of the family register",
  },
  zokugara: { ja: "世帯主・続柄", en: "Householder and relationship" },
  myNumber: {
    ja: "個人番号（マイナンバー）",
    en: "My Number (only where the municipality allows it at kiosks)",
  },
} as const satisfies Record<keyof JuminhyoOptions, Bilingual>;

/**
 * The items the applicant chooses, by type: the 住民票's options; none on a
 * 印鑑 (nothing optional) nor on a 記載事項証明書 (its items are the
 * municipality's, see {@linkcode TYPE_NOTE}).
 */
const APPLICANT_OPTIONS: Readonly<
  Record<CertificateType, readonly (keyof JuminhyoOptions)[]>
> = {
  juminhyo: ["honseki", "zokugara", "myNumber"],
  inkan: [],
  kisai: [],
};

/**
 * The items a certificate type lets the applicant choose.
 *
 * @example
 * ```ts ignore
 * optionsOf("juminhyo"); // ["honseki", "zokugara", "myNumber"]
 * optionsOf("inkan"); // []
 * optionsOf("kisai"); // []
 * ```
 */
export function optionsOf(type: CertificateType): (keyof JuminhyoOptions)[] {
  return [...APPLICANT_OPTIONS[type]];
}

/**
 * A note the type and confirm screens show under a type's name, where the
 * applicant should know something before choosing it.
 */
export const TYPE_NOTE: Readonly<
  Partial<Record<CertificateType, Bilingual>>
> = {
  kisai: {
    ja: "ご本人の分のみ。記載する事項は市区町村が定めています。",
    en: "For yourself only; the items shown are set by the municipality.",
  },
};

const STEPS = [
  { ja: "カード", en: "Card" },
  { ja: "暗証番号", en: "PIN" },
  { ja: "証明書", en: "Certificate" },
  { ja: "対象者", en: "Persons" },
  { ja: "記載事項", en: "Items" },
  { ja: "確認", en: "Confirm" },
  { ja: "受け取り", en: "Collect" },
] as const;

const at = (sid: string, step: string) => `/s/${sid}/${step}`;
const yen = (n: number) => `${n.toLocaleString("ja-JP")}円`;

function Bi(p: Bilingual & { class?: string }) {
  return (
    <span class={p.class}>
      <span lang="ja">{p.ja}</span>
      <span class="en" lang="en">{p.en}</span>
    </span>
  );
}

/** A step's input error, announced to screen readers. */
function ErrorNotice(p: { error?: Bilingual }) {
  if (!p.error) return null;
  return (
    <p class="notice" role="alert">
      <Bi ja={p.error.ja} en={p.error.en} />
    </p>
  );
}

function Title(p: Bilingual) {
  return (
    <h1>
      <Bi ja={p.ja} en={p.en} />
    </h1>
  );
}

/** The page around every screen. */
function Layout(
  p: {
    title: string;
    step?: number;
    tone?: string;
    children: ComponentChildren;
  },
) {
  return (
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{p.title} — 証明書交付サービス</title>
        <link rel="stylesheet" href="/screen.css" />
      </head>
      <body class={p.tone}>
        <div class="kiosk">
          <header class="bar">
            <Bi
              ja="証明書交付サービス（マイナンバーカード）"
              en="Certificate issuance with a My Number card"
            />
          </header>
          {p.step !== undefined && (
            <ol class="steps">
              {STEPS.map((s, i) => (
                <li
                  class={i === p.step ? "now" : i < p.step! ? "done" : ""}
                  aria-current={i === p.step ? "step" : undefined}
                >
                  <Bi ja={s.ja} en={s.en} />
                </li>
              ))}
            </ol>
          )}
          <main>{p.children}</main>
        </div>
      </body>
    </html>
  );
}

/** 「戻る」 and 「中止」 at the foot of a step. */
function Nav(p: { sid: string; back?: string }) {
  return (
    <div class="nav">
      {p.back && (
        <a class="button secondary" href={at(p.sid, p.back)}>
          <Bi ja="戻る" en="Back" />
        </a>
      )}
      <form method="post" action={at(p.sid, "end")}>
        <button class="secondary" type="submit">
          <Bi ja="中止" en="Cancel" />
        </button>
      </form>
    </div>
  );
}

/** Step 1: place a card (choose a card file). */
export function CardScreen(p: { cards: CardChoice[] }) {
  return (
    <Layout title="カードを置いてください" step={0}>
      <Title
        ja="マイナンバーカードを置いてください"
        en="Place your My Number card (choose a demo card)"
      />
      {p.cards.length === 0 && (
        <p class="notice">
          <Bi
            ja="カードがありません。"
            en="No card files (*.card.json) in the cards folder."
          />
        </p>
      )}
      <form method="post" action="/sessions" class="choices">
        {p.cards.map((c) => (
          <button
            type="submit"
            name="card"
            value={c.file}
            disabled={c.unreadable}
          >
            <span lang="ja">カード {c.label}</span>
            <span class="en" lang="en">
              {c.unreadable
                ? "unreadable card file"
                : `${
                  c.municipalityCode
                    ? `municipality ${c.municipalityCode}`
                    : "My Number card"
                }${c.locked ? " — locked" : ""}`}
            </span>
          </button>
        ))}
      </form>
    </Layout>
  );
}

/** The fee per copy of a type: the municipality's today, else the catalogue's default. */
function feeOf(
  fees: Partial<Record<CertificateType, number>> | undefined,
  type: CertificateType,
): number {
  return fees?.[type] ?? CERTIFICATE_CATALOGUE[type].defaultFeePerCopy;
}

/** Step 3: the certificate type, with the municipality's fee per copy. */
export function TypeScreen(
  p: { sid: string; fees?: Partial<Record<CertificateType, number>> },
) {
  return (
    <Layout title="証明書の種類" step={2}>
      <Title
        ja="証明書の種類を選んでください"
        en="Choose the certificate"
      />
      <form method="post" action={at(p.sid, "type")} class="choices">
        {CERTIFICATE_TYPES.map((t) => {
          const e = CERTIFICATE_CATALOGUE[t];
          return (
            <button type="submit" name="type" value={t}>
              <span lang="ja">{e.nameJa}</span>
              <span class="en" lang="en">{e.nameEn}</span>
              {TYPE_NOTE[t] && (
                <Bi class="note" ja={TYPE_NOTE[t].ja} en={TYPE_NOTE[t].en} />
              )}
              <span class="fee">
                1通 {yen(feeOf(p.fees, t))}{" "}
                <span lang="en">/ {feeOf(p.fees, t)} yen a copy</span>
              </span>
            </button>
          );
        })}
      </form>
      <Nav sid={p.sid} />
    </Layout>
  );
}

/**
 * Step 4: whose certificate — the household's names as the center listed
 * them, the applicant first and ticked; 「世帯全員」 is a shortcut. Every
 * current member is listed alike: the list says nothing about who can be
 * issued at a kiosk (a protected member is refused at print, neutrally).
 */
export function MembersScreen(
  p: { sid: string; session: ScreenSession; error?: Bilingual },
) {
  const members = p.session.household ?? [];
  const chosen = p.session.members;
  const ticked = (id: string, i: number) =>
    chosen === "all" ||
    (chosen === "self" ? i === 0 : chosen.includes(id));
  return (
    <Layout title="対象者" step={3}>
      <Title
        ja="どなたの証明書が必要ですか"
        en="Whose certificate do you need?"
      />
      <ErrorNotice error={p.error} />
      <form method="post" action={at(p.sid, "members")}>
        <fieldset class="options members">
          {members.map((m, i) => (
            <label>
              <input
                type="checkbox"
                name="member"
                value={m.residentId}
                checked={ticked(m.residentId, i)}
              />
              <span lang="ja">
                {m.name}
                <span class="relationship">（{m.relationship}）</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div class="nav">
          <button type="submit" class="primary">
            <Bi ja="選んだ方で次へ" en="Next with the persons ticked" />
          </button>
          <button type="submit" name="members" value="all">
            <Bi ja="世帯全員" en="Everyone in my household" />
          </button>
        </div>
      </form>
      <Nav sid={p.sid} back="type" />
    </Layout>
  );
}

/** Step 5: the optional items (only for a type that has any). */
export function OptionsScreen(p: { sid: string; session: ScreenSession }) {
  const type = p.session.type!;
  return (
    <Layout title="記載事項" step={4}>
      <Title
        ja="記載する項目を選んでください"
        en="Choose what the certificate shows"
      />
      <form method="post" action={at(p.sid, "options")}>
        <fieldset class="options">
          {optionsOf(type).map((k) => (
            <label>
              <input
                type="checkbox"
                name={k}
                value="on"
                checked={p.session.options[k]}
              />
              <Bi ja={OPTION_TEXT[k].ja} en={OPTION_TEXT[k].en} />
            </label>
          ))}
        </fieldset>
        <p class="hint">
          <Bi
            ja="選ばない項目は記載されません（省略）。"
            en="Items not chosen are left off."
          />
        </p>
        <button type="submit" class="primary">
          <Bi ja="次へ" en="Next" />
        </button>
      </form>
      <Nav
        sid={p.sid}
        back={CERTIFICATE_CATALOGUE[type].household ? "members" : "type"}
      />
    </Layout>
  );
}

/** What the fee line is computed from. */
interface FeeFacts {
  /** Yen a certificate (通). */
  fee: number;
  /** 部数. */
  copies: number;
  /** People chosen, by name (0 when the household was not read). */
  persons: number;
  /** The quote's total, every copy (../fee_quote.ts). */
  total: number;
}

/** The fee per copy and, with 部数 over 1, the total (the pre-quote wording). */
function perCopy(f: FeeFacts): Bilingual {
  return {
    ja: `1通 ${yen(f.fee)} × 部数${
      f.copies > 1 ? `（${f.copies}部 ${yen(f.total)}）` : ""
    }`,
    en: `${f.fee} yen a copy × copies${
      f.copies > 1 ? ` (${f.copies}: ${f.total} yen)` : ""
    }`,
  };
}

/**
 * The confirm screen's fee line and its note, by what the quote rests on:
 * one person; 個票式 (a certificate a person); 世帯連記式 (one certificate
 * for the chosen members); several people with the format unknown (the
 * generic note — the released document says what is charged).
 */
const FEE_TEXT: Record<
  FeeQuote["basis"],
  (f: FeeFacts) => { main: Bilingual; note?: Bilingual }
> = {
  single: (f) => ({ main: perCopy(f) }),
  kohyo: (f) => ({
    main: {
      ja: `1通 ${yen(f.fee)} × ${f.persons}人 × 部数（${f.copies}部）= 合計 ${
        yen(f.total)
      }`,
      en:
        `${f.fee} yen a copy × ${f.persons} persons × copies (${f.copies}) = ${f.total} yen`,
    },
    note: {
      ja: `お一人ごとに1通（${f.persons}人で${f.persons}通）となります。`,
      en:
        `Each person is a certificate of its own (${f.persons} a copy), each charged.`,
    },
  }),
  renki: (f) => ({
    main: {
      ja: `1通 ${yen(f.fee)} × 部数（${f.copies}部）= 合計 ${yen(f.total)}`,
      en: `${f.fee} yen a copy × copies (${f.copies}) = ${f.total} yen`,
    },
    note: {
      ja: `選んだ${f.persons}人で1通（1通ごとの料金）となります。`,
      en:
        `The ${f.persons} persons chosen are one certificate, one fee a copy.`,
    },
  }),
  unknown: (f) => ({
    main: perCopy(f),
    note: {
      ja: "個票式の市区町村では、お一人ごとに1通（1通ごとの料金）となります。",
      en:
        "Where each member's record is a certificate of its own (個票式), each person is one copy, charged per copy.",
    },
  }),
};

/** Step 6: what will be printed, 部数 and what it costs; confirming prints. */
export function ConfirmScreen(
  p: { sid: string; session: ScreenSession; error?: Bilingual },
) {
  const s = p.session;
  const entry = CERTIFICATE_CATALOGUE[s.type!];
  const fee = feeOf(s.fees, s.type!);
  const chosen = optionsOf(s.type!).filter((k) => s.options[k]);
  const back = optionsOf(s.type!).length
    ? "options"
    : entry.household
    ? "members"
    : "type";
  // Who is printed, by name (as the center listed them).
  const listed = s.household ?? [];
  const ids = s.members === "all"
    ? listed.map((m) => m.residentId)
    : s.members === "self"
    ? listed.slice(0, 1).map((m) => m.residentId)
    : s.members;
  const persons = listed.filter((m) => ids.includes(m.residentId)).map((m) =>
    m.name
  );
  // The quote: how many people (unknown while the household is not read),
  // and the municipality's household format as the center stated it.
  const quote = quoteFee({
    fee,
    persons: !entry.household
      ? 1
      : s.household
      ? persons.length
      : s.members === "self"
      ? 1
      : undefined,
    copies: s.copies,
    householdFormat: s.householdFormat,
  });
  const feeText = FEE_TEXT[quote.basis]({
    fee,
    copies: s.copies,
    persons: persons.length,
    total: quote.total,
  });
  return (
    <Layout title="内容の確認" step={5}>
      <Title ja="内容をご確認ください" en="Please check" />
      <ErrorNotice error={p.error} />
      <dl class="summary">
        <dt>
          <Bi ja="証明書" en="Certificate" />
        </dt>
        <dd>
          <Bi ja={entry.nameJa} en={entry.nameEn} />
          {TYPE_NOTE[s.type!] && (
            <p class="hint">
              <Bi ja={TYPE_NOTE[s.type!]!.ja} en={TYPE_NOTE[s.type!]!.en} />
            </p>
          )}
        </dd>
        <dt>
          <Bi ja="対象者" en="Persons" />
        </dt>
        <dd id="persons">
          {persons.length
            ? <span lang="ja">{persons.join("、")}</span>
            : s.members === "all"
            ? <Bi ja="世帯全員" en="Everyone in the household" />
            : <Bi ja="本人のみ" en="Only the applicant" />}
        </dd>
        {optionsOf(s.type!).length > 0 && (
          <>
            <dt>
              <Bi ja="記載事項" en="Items" />
            </dt>
            <dd>
              {chosen.length
                ? (
                  <Bi
                    ja={chosen.map((k) => OPTION_TEXT[k].ja).join("、")}
                    en={chosen.map((k) => OPTION_TEXT[k].en).join(", ")}
                  />
                )
                : <Bi ja="省略" en="None" />}
            </dd>
          </>
        )}
        <dt>
          <Bi ja="料金" en="Fee" />
        </dt>
        <dd class="fee" id="fee" data-basis={quote.basis}>
          <Bi ja={feeText.main.ja} en={feeText.main.en} />
          {feeText.note && (
            <p class="note" id="fee-per-person">
              <Bi ja={feeText.note.ja} en={feeText.note.en} />
            </p>
          )}
        </dd>
      </dl>
      <form method="post" action={at(p.sid, "confirm")}>
        <label class="copies">
          <Bi ja="部数" en="Copies" />{" "}
          <select name="copies" id="copies">
            {Array.from({ length: MAX_COPIES }, (_, i) => i + 1).map((n) => (
              <option value={String(n)} selected={n === s.copies}>
                {n}部
              </option>
            ))}
          </select>
        </label>
        <details class="simulate">
          <summary>
            <Bi ja="シミュレーション" en="Simulate a mishap" />
          </summary>
          {(
            [
              ["jam", "最後の用紙が詰まる", "The last sheet jams"],
              ["leaveCard", "カードを取り忘れる", "Leave the card behind"],
              ["leavePaper", "証明書を取り忘れる", "Leave the paper behind"],
            ] as const
          ).map(([name, ja, en]) => (
            <label>
              <input
                type="checkbox"
                name={name}
                value="on"
                checked={s.simulate[name]}
              />
              <Bi ja={ja} en={en} />
            </label>
          ))}
        </details>
        <button type="submit" class="primary">
          <Bi ja="印刷する" en="Print" />
        </button>
      </form>
      <Nav sid={p.sid} back={back} />
    </Layout>
  );
}

const PAD_KEYS: [string, Bilingual | string][] = [
  ["1", "1"],
  ["2", "2"],
  ["3", "3"],
  ["4", "4"],
  ["5", "5"],
  ["6", "6"],
  ["7", "7"],
  ["8", "8"],
  ["9", "9"],
  ["back", { ja: "訂正", en: "Correct" }],
  ["0", "0"],
  ["clear", { ja: "クリア", en: "Clear" }],
];

/** Step 2: the PIN (4 digits, masked); submitting it authenticates the card. */
export function PinScreen(p: { sid: string; error?: Bilingual }) {
  return (
    <Layout title="暗証番号" step={1}>
      <Title
        ja="利用者証明用電子証明書の暗証番号（数字4桁）を入力してください"
        en="Enter the card's 4-digit PIN"
      />
      <ErrorNotice error={p.error} />
      <form method="post" action={at(p.sid, "pin")} class="pin">
        <input
          id="pin"
          name="pin"
          type="password"
          inputmode="numeric"
          autocomplete="off"
          maxLength={4}
          pattern="[0-9]{4}"
          required
          aria-label="暗証番号 / PIN"
        />
        <div id="pin-pad" class="pad" hidden>
          {PAD_KEYS.map(([key, text]) => (
            <button
              type="button"
              data-key={key}
              class={key.length > 1 ? "fn" : ""}
            >
              {typeof text === "string"
                ? text
                : <Bi ja={text.ja} en={text.en} />}
            </button>
          ))}
        </div>
        <p class="hint">
          <Bi
            ja="3回続けて間違えるとカードがロックされます。"
            en="Three wrong PINs in a row lock the card."
          />
        </p>
        <button type="submit" class="primary" id="pin-ok">
          <Bi ja="確定" en="OK" />
        </button>
      </form>
      <Nav sid={p.sid} />
      <script src="/pin_pad.js" defer></script>
    </Layout>
  );
}

/** A refusal, by the card or by the center: the kiosk's own text. */
export function RefusalScreen(p: { sid: string; refusal: KioskRefusal }) {
  const r = p.refusal;
  return (
    <Layout title="お取り扱いできません" tone="refused">
      <Title ja="お取り扱いできません" en="The certificate cannot be issued" />
      <p class="message" id="refusal-message">
        <span lang="ja">{r.message_ja}</span>
        <span class="en" lang="en">{r.message_en}</span>
      </p>
      {r.remainingTries !== undefined && r.code === "PIN_WRONG" && (
        <p class="tries" id="remaining-tries">
          <Bi
            ja={`残り${r.remainingTries}回`}
            en={`${r.remainingTries} tries left`}
          />
        </p>
      )}
      <p class="code">{r.code}</p>
      <div class="nav">
        {r.code === "PIN_WRONG" && (
          <a class="button primary" href={at(p.sid, "pin")}>
            <Bi ja="暗証番号を入力し直す" en="Enter the PIN again" />
          </a>
        )}
        <form method="post" action={at(p.sid, "end")}>
          <button type="submit" class="secondary">
            <Bi ja="カードを取って終了" en="Take the card and finish" />
          </button>
        </form>
      </div>
    </Layout>
  );
}

/** A leave-behind alarm, as the kiosk sounds it. */
export function AlarmScreen(
  p: { sid: string; alarm: { what: "card" | "paper"; message_ja: string } },
) {
  const en = p.alarm.what === "card"
    ? "Don't forget your card. Please take your card."
    : "Don't forget your certificate. Please take the paper.";
  return (
    <Layout title="お取り忘れ" tone="alarm">
      <div class="bell" aria-hidden="true">!</div>
      <Title ja={p.alarm.message_ja} en={en} />
      <form method="post" action={at(p.sid, `alarms/${p.alarm.what}`)}>
        <button type="submit" class="primary">
          {p.alarm.what === "card"
            ? <Bi ja="カードを取りました" en="I took the card" />
            : <Bi ja="証明書を取りました" en="I took the certificate" />}
        </button>
      </form>
    </Layout>
  );
}

/** The print done: who is on each sheet, the fee, the PDF. */
export function DoneScreen(
  p: { sid: string; result: Extract<ScreenResult, { ok: true }> },
) {
  const r = p.result;
  return (
    <Layout title="印刷が終わりました" step={6}>
      <Title
        ja="証明書とカードをお取りください"
        en="Please take your certificate and your card"
      />
      {r.screens.map((m) => (
        <p class="notice" role="status">
          <span lang="ja">{m}</span>
        </p>
      ))}
      <dl class="summary">
        <dt>
          <Bi ja="発行番号" en="Issue number" />
        </dt>
        <dd id="issue-number">{r.issueNumber}</dd>
        <dt>
          <Bi ja="印刷した証明書" en="Copies" />
        </dt>
        <dd>
          <ol class="copies" id="copies">
            {r.copies.map((copy) => (
              <li>
                <span lang="ja">{copy.copy}通目</span>{" "}
                <span class="issue-number">{copy.issueNumber}</span>{" "}
                {copy.status === "voided"
                  ? (
                    <span class="void">
                      {r.printFailed
                        ? (
                          <Bi
                            ja={`無効（印刷できず）${yen(copy.refund)}返金`}
                            en={`void (not printed), ${copy.refund} yen refunded`}
                          />
                        )
                        : (
                          <Bi
                            ja={`無効（用紙詰まり）${yen(copy.refund)}返金`}
                            en={`void (jammed), ${copy.refund} yen refunded`}
                          />
                        )}
                    </span>
                  )
                  : <span class="copy-fee">{yen(copy.fee)}</span>}
                <ol class="sheets">
                  {copy.pages.map((page) => (
                    <li key={page}>{r.names[page - 1]}</li>
                  ))}
                </ol>
              </li>
            ))}
          </ol>
        </dd>
        <dt>
          <Bi ja="料金" en="Fee" />
        </dt>
        <dd class="fee" id="fee">
          <Bi
            ja={`${yen(r.fee)}${r.refund ? `（${yen(r.refund)}返金）` : ""}`}
            en={`${r.fee} yen${r.refund ? ` (${r.refund} yen refunded)` : ""}`}
          />
        </dd>
      </dl>
      <div class="nav">
        {r.pdfPath && (
          <a
            class="button primary"
            id="pdf"
            href={at(p.sid, "certificate.pdf")}
            download={`certificate-${r.issueNumber}.pdf`}
          >
            <Bi ja="証明書（PDF）を開く" en="Open the certificate (PDF)" />
          </a>
        )}
        <form method="post" action={at(p.sid, "end")}>
          <button type="submit" class="secondary">
            <Bi ja="終了" en="Finish" />
          </button>
        </form>
      </div>
    </Layout>
  );
}

/** An unknown or expired session. */
export function EndedScreen() {
  return (
    <Layout title="お手続きは終了しました">
      <Title
        ja="お手続きは終了しました"
        en="This session has ended"
      />
      <p class="hint">
        <Bi
          ja="一定時間操作がなかったため、最初の画面に戻ります。"
          en="There was no activity for a while; please start again."
        />
      </p>
      <a class="button primary" href="/">
        <Bi ja="最初の画面へ" en="Start again" />
      </a>
    </Layout>
  );
}

/** The kiosk could not finish (center unreachable, an answer not signed). */
export function FaultScreen(p: { sid?: string; busy?: boolean }) {
  return (
    <Layout title="ただいまお取り扱いできません" tone="refused">
      <Title
        ja={p.busy
          ? "ただいま印刷中です。しばらくお待ちください。"
          : "ただいまお取り扱いできません。しばらくしてからご利用ください。"}
        en={p.busy
          ? "Printing — please wait."
          : "The service is not available now; please try again later."}
      />
      <a class="button primary" href={p.sid ? at(p.sid, "result") : "/"}>
        <Bi ja="戻る" en="Back" />
      </a>
    </Layout>
  );
}
