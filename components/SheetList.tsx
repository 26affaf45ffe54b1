/**
 * Every sheet of a multi-sheet upload, each with its own verdict, reason,
 * facts and its front as issued (the overall verdict above it is the worst
 * sheet's).
 *
 * @module
 */
import { type Lang, T, t } from "../services/portal/i18n.ts";
import { VERDICT_COPY } from "../services/portal/verdicts.ts";
import type { SheetResult } from "../services/portal/verify.ts";
import { CertificateFacts } from "./CertificateFacts.tsx";
import { FrontImage } from "./FrontImage.tsx";
import { Icon } from "./Icon.tsx";

/** Props of {@linkcode SheetList}. */
export interface SheetListProps {
  lang: Lang;
  sheets: readonly SheetResult[];
  /** Pages of the file skipped as fronts. */
  frontPages: readonly number[];
  /** ISO instant of the check. */
  checkedAt: string;
  /** The stamp over a voided or revoked sheet's front. */
  stampOf: (verdict: SheetResult["verdict"]) => string | undefined;
}

/** The heading of a sheet: 「2枚目（ファイルの4ページ）」 / "Sheet 2 (file page 4)". */
function sheetHeading(lang: Lang, n: number, filePage: number): string {
  return lang === "ja"
    ? `${n}${t(lang, T.sheetNo)}（${t(lang, T.filePage)}${filePage}ページ）`
    : `${t(lang, T.sheetNo)} ${n} (${t(lang, T.filePage)} ${filePage})`;
}

/**
 * The list of sheets.
 *
 * @example
 * ```tsx ignore
 * <SheetList lang="ja" sheets={result.sheets} frontPages={[1, 3]} checkedAt={now} stampOf={() => undefined} />
 * ```
 */
export function SheetList(
  { lang, sheets, frontPages, checkedAt, stampOf }: SheetListProps,
) {
  return (
    <section class="sheets" aria-labelledby="sheets-title">
      <h2 id="sheets-title">{t(lang, T.sheetsTitle)}</h2>
      <p>{t(lang, T.sheetsSummary)}</p>
      {frontPages.length > 0 && (
        <p class="sheets-fronts">
          {t(lang, T.frontsSkipped)} {frontPages.join(", ")}
        </p>
      )}
      <ol class="sheet-list">
        {sheets.map((s, i) => {
          const copy = VERDICT_COPY[s.verdict];
          return (
            <li
              key={s.filePage}
              class={`sheet verdict--${copy.tone}`}
              data-sheet={i + 1}
              data-verdict={s.verdict}
            >
              <h3>
                <Icon name={copy.tone} size={24} />{" "}
                {sheetHeading(lang, i + 1, s.filePage)}：{copy.title[lang]}
              </h3>
              <p class="verdict-reason" data-reason={s.reason.code}>
                {s.reason[lang]}
              </p>
              {s.statusNote && <p class="notice">{s.statusNote[lang]}</p>}
              {(s.certificate || s.issueNumber) && (
                <CertificateFacts
                  lang={lang}
                  certificate={s.certificate}
                  issueNumber={s.issueNumber}
                  keyId={s.keyId}
                  status={s.status}
                  checkedAt={checkedAt}
                />
              )}
              {s.frontImagePng && (
                <FrontImage
                  lang={lang}
                  png={s.frontImagePng}
                  stamp={stampOf(s.verdict)}
                  id={`front-image-${i + 1}`}
                />
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
