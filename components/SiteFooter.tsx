/**
 * The site footer: the API for banks and the public key list, and the
 * promise that no image is kept.
 *
 * @module
 */
import { type Lang, T, t } from "../services/portal/i18n.ts";

/**
 * The footer.
 *
 * @example
 * ```tsx
 * <SiteFooter lang="en" />
 * ```
 */
export function SiteFooter({ lang }: { lang: Lang }) {
  return (
    <footer class="site-footer">
      <div class="container footer-inner">
        <section class="footer-block">
          <h2>{t(lang, T.apiTitle)}</h2>
          <p>{t(lang, T.apiText)}</p>
          <p>
            <a href="/.well-known/konbini-keys.json">{t(lang, T.keysLink)}</a>
          </p>
        </section>
        <section class="footer-block">
          <h2>{t(lang, T.privacyTitle)}</h2>
          <p>{t(lang, T.footerNote)}</p>
        </section>
      </div>
      <div class="footer-bottom">
        <div class="container">{t(lang, T.siteName)}</div>
      </div>
    </footer>
  );
}
