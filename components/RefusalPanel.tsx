/**
 * Shown when the file (or the request) was refused before a verdict: what
 * was wrong, in plain words, and what to do.
 *
 * @module
 */
import { type Lang, T, t } from "../services/portal/i18n.ts";
import type { Refusal } from "../services/portal/refusals.ts";
import { Icon } from "./Icon.tsx";

/**
 * The refusal panel.
 *
 * @example
 * ```tsx ignore
 * <RefusalPanel lang="ja" refusal={refusal("SCAN_EMPTY")} />
 * ```
 */
export function RefusalPanel(
  { lang, refusal }: { lang: Lang; refusal: Refusal },
) {
  const other: Lang = lang === "ja" ? "en" : "ja";
  return (
    <section
      class="verdict verdict--warn"
      aria-labelledby="verdict-title"
      data-refusal={refusal.code}
      data-verdict={refusal.verdict}
    >
      <div class="verdict-head">
        <Icon name="warn" size={40} />
        <div>
          <p class="verdict-label">{t(lang, T.resultTitle)}</p>
          <h1 id="verdict-title" class="verdict-title">
            {t(lang, T.refusedTitle)}
          </h1>
        </div>
      </div>
      <div class="verdict-body">
        <h2>{t(lang, T.reasonTitle)}</h2>
        <p class="verdict-reason" data-reason={refusal.code}>{refusal[lang]}</p>
        <details class="other-lang">
          <summary>{t(lang, T.otherLanguageReason)}</summary>
          <p lang={other}>{refusal[other]}</p>
        </details>
      </div>
    </section>
  );
}
