/**
 * The error page: "not found" (including any old result URL — results are
 * never stored), or a generic failure with a reference for support. The
 * cause is logged, never shown.
 *
 * @module
 */
import { Icon } from "../components/Icon.tsx";
import type { ErrorPageProps } from "../services/portal/fresh/types.ts";
import { T, t } from "../services/portal/i18n.ts";
import type { PortalState } from "../services/portal/state.ts";

/** The error page. */
export default function ErrorPage(
  { status, state }: ErrorPageProps<PortalState>,
) {
  const { lang } = state;
  const notFound = status === 404;
  state.title = t(lang, notFound ? T.notFoundTitle : T.errorTitle);
  return (
    <section class="verdict verdict--info error-page" data-status={status}>
      <div class="verdict-head">
        <Icon name="info" size={40} />
        <div>
          <p class="verdict-label">{status}</p>
          <h1 class="verdict-title">{state.title}</h1>
        </div>
      </div>
      <div class="verdict-body">
        <p>{t(lang, notFound ? T.notFoundText : T.errorText)}</p>
        {!notFound && (
          <p class="muted">
            {t(lang, T.requestId)}: <code>{state.requestId}</code>
          </p>
        )}
        <p class="actions">
          <a class="button button--primary" href="/">{t(lang, T.toStart)}</a>
        </p>
      </div>
    </section>
  );
}
