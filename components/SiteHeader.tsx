/**
 * The site header: the service's name (a link to the start page) and the
 * language switch.
 *
 * @module
 */
import { type Lang, T, t } from "../services/portal/i18n.ts";

/**
 * The header.
 *
 * @example
 * ```tsx
 * <SiteHeader lang="ja" />
 * ```
 */
export function SiteHeader({ lang }: { lang: Lang }) {
  return (
    <header class="site-header">
      <div class="container header-inner">
        <a class="brand" href="/">
          <svg
            class="brand-mark"
            width="36"
            height="36"
            viewBox="0 0 36 36"
            aria-hidden="true"
          >
            <rect width="36" height="36" rx="6" fill="currentColor" />
            <path d="M10 9h11l5 5v13H10z" fill="#fff" />
            <path
              d="M13.5 19.5l3 3 6-6.5"
              fill="none"
              stroke="currentColor"
              stroke-width="2.4"
            />
          </svg>
          <span class="brand-text">
            <span class="brand-owner">{t(lang, T.siteOwner)}</span>
            <span class="brand-name">{t(lang, T.siteName)}</span>
          </span>
        </a>
        <nav class="lang-switch" aria-label="Language / 言語">
          <a
            href="/?lang=ja"
            lang="ja"
            hreflang="ja"
            aria-current={lang === "ja" ? "true" : undefined}
          >
            日本語
          </a>
          <a
            href="/?lang=en"
            lang="en"
            hreflang="en"
            aria-current={lang === "en" ? "true" : undefined}
          >
            English
          </a>
        </nav>
      </div>
    </header>
  );
}
