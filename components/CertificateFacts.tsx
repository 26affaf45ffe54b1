/**
 * The facts a bank files: issue number, type, municipality, issue date,
 * sheet, ledger status and when the check was made. Never the person's
 * details: those are on the front image, for the holder of the paper only.
 *
 * @module
 */
import type { SheetContent } from "../lib/certificate/model.ts";
import { formatJapaneseDate, toJapanDateTime } from "../lib/render/era.ts";
import {
  CERT_TYPE,
  type Lang,
  STATUS_LABEL,
  T,
  t,
} from "../services/portal/i18n.ts";
import type { StatusCheck } from "../services/portal/verdicts.ts";

/** Props of {@linkcode CertificateFacts}. */
export interface CertificateFactsProps {
  lang: Lang;
  certificate?: SheetContent;
  issueNumber?: string;
  keyId?: string;
  status: StatusCheck;
  /** ISO instant of the check. */
  checkedAt: string;
}

function formatDate(lang: Lang, iso: string): string {
  const { date } = toJapanDateTime(iso);
  return lang === "ja" ? `${formatJapaneseDate(date)}（${date}）` : date;
}

function formatCheckedAt(lang: Lang, iso: string): string {
  const { date, hour, minute } = toJapanDateTime(iso);
  const hm = `${hour}:${String(minute).padStart(2, "0")}`;
  return lang === "ja"
    ? `${formatJapaneseDate(date)} ${hm}`
    : `${date} ${hm} JST`;
}

/**
 * The facts table.
 *
 * @example
 * ```tsx ignore
 * <CertificateFacts lang="ja" certificate={sheet} status="valid" checkedAt={now} />
 * ```
 */
export function CertificateFacts(p: CertificateFactsProps) {
  const { lang, certificate: c } = p;
  const issueNumber = c?.issueNumber ?? p.issueNumber;
  const rows: Array<[string, string, string?]> = [];
  if (issueNumber) rows.push([t(lang, T.issueNumber), issueNumber, "mono"]);
  if (c) {
    rows.push([t(lang, T.certType), CERT_TYPE[c.type][lang]]);
    rows.push([
      t(lang, T.municipality),
      `${c.municipality.name}（${c.municipality.code}）`,
    ]);
    rows.push([t(lang, T.issueDate), formatDate(lang, c.issuedAt)]);
    rows.push([t(lang, T.sheet), `${c.page} / ${c.pages}`]);
  }
  if (!c && p.keyId) rows.push([t(lang, T.keyId), p.keyId, "mono"]);
  if (p.status !== "not-checked") {
    rows.push([t(lang, T.ledger), STATUS_LABEL[p.status][lang]]);
  }
  rows.push([t(lang, T.checkedAt), formatCheckedAt(lang, p.checkedAt)]);
  return (
    <section class="facts" aria-labelledby="facts-title">
      <h2 id="facts-title">{t(lang, T.factsTitle)}</h2>
      <dl>
        {rows.map(([k, v, cls]) => (
          <div class="facts-row" key={k}>
            <dt>{k}</dt>
            <dd class={cls}>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
