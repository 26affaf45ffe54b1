/**
 * The HTML document around every page: language, title, the stylesheet
 * and icon. Island scripts are added before `</body>` by the framework,
 * only on pages that use an island.
 *
 * @module
 */
import type { AppProps } from "../services/portal/fresh/types.ts";
import { T, t } from "../services/portal/i18n.ts";
import type { PortalState } from "../services/portal/state.ts";

/** The document shell. */
export default function App({ Component, state }: AppProps<PortalState>) {
  const site = t(state.lang, T.siteName);
  return (
    <html lang={state.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{state.title ? `${state.title} | ${site}` : site}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/portal.css" />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
