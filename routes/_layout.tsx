/**
 * The frame of every page: skip link, site header with the language
 * switch, the page's content in `<main>`, and the footer.
 *
 * @module
 */
import { SiteFooter } from "../components/SiteFooter.tsx";
import { SiteHeader } from "../components/SiteHeader.tsx";
import type { AppProps } from "../services/portal/fresh/types.ts";
import { T, t } from "../services/portal/i18n.ts";
import type { PortalState } from "../services/portal/state.ts";

/** Header, main and footer. */
export default function Layout({ Component, state }: AppProps<PortalState>) {
  return (
    <>
      <a class="skip-link" href="#main">{t(state.lang, T.skip)}</a>
      <SiteHeader lang={state.lang} />
      <main id="main" class="container" tabIndex={-1}>
        <Component />
      </main>
      <SiteFooter lang={state.lang} />
    </>
  );
}
