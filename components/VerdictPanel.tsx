/**
 * The verdict: a coloured headline, the plain reason (with the other
 * language one click away), a note when the ledger could not be asked, and
 * what to do next.
 *
 * @module
 */
import { type Lang, T, t } from "../services/portal/i18n.ts";
import {
  type Bilingual,
  type PortalVerdict,
  VERDICT_COPY,
} from "../services/portal/verdicts.ts";
import { Icon } from "./Icon.tsx";

/** Props of {@linkcode VerdictPanel}. */
export interface VerdictPanelProps {
  lang: Lang;
  verdict: PortalVerdict;
  reason: Bilingual & { code: string };
  note?: Bilingual;
}

/**
 * The verdict panel.
 *
 * @example
 * ```tsx ignore
 * <VerdictPanel lang="ja" verdict="genuine" reason={reason("GENUINE")} />
 * ```
 */
export function VerdictPanel(
  { lang, verdict, reason, note }: VerdictPanelProps,
) {
  const copy = VERDICT_COPY[verdict];
  const other: Lang = lang === "ja" ? "en" : "ja";
  return (
    <section
      class={`verdict verdict--${copy.tone}`}
      aria-labelledby="verdict-title"
      data-verdict={verdict}
    >
      <div class="verdict-head">
        <Icon name={copy.tone} size={40} />
        <div>
          <p class="verdict-label">{t(lang, T.resultTitle)}</p>
          <h1 id="verdict-title" class="verdict-title">{copy.title[lang]}</h1>
        </div>
      </div>
      <div class="verdict-body">
        <h2>{t(lang, T.reasonTitle)}</h2>
        <p class="verdict-reason" data-reason={reason.code}>{reason[lang]}</p>
        <details class="other-lang">
          <summary>{t(lang, T.otherLanguageReason)}</summary>
          <p lang={other}>{reason[other]}</p>
        </details>
        {note && (
          <div class="notice notice--warn" role="note">
            <Icon name="warn" size={20} />
            <p>{note[lang]}</p>
          </div>
        )}
        <h2>{t(lang, T.nextTitle)}</h2>
        <ol class="next-steps">
          {copy.next[lang].map((s) => <li key={s}>{s}</li>)}
        </ol>
      </div>
    </section>
  );
}
