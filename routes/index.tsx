/**
 * The start page: what the service does, three steps, and the upload form
 * (an island that is a plain form post without JavaScript).
 *
 * @module
 */
import { Icon } from "../components/Icon.tsx";
import UploadForm, { type UploadFormText } from "../islands/UploadForm.tsx";
import type { Handlers, PageProps } from "../services/portal/fresh/types.ts";
import { type Lang, T, t } from "../services/portal/i18n.ts";
import type { PortalState } from "../services/portal/state.ts";

/**
 * The texts handed to the upload island, for an upload limit of `maxBytes`.
 *
 * @example
 * ```ts
 * uploadText("en", 20 * 1024 * 1024).hint; // "PNG, JPEG, TIFF or PDF, up to 20 MB"
 * ```
 */
export function uploadText(lang: Lang, maxBytes: number): UploadFormText {
  const mb = (text: string) =>
    text.replace("{mb}", String(Math.round(maxBytes / 1024 / 1024)));
  return {
    label: t(lang, T.fileLabel),
    required: t(lang, T.required),
    hint: mb(t(lang, T.fileHint)),
    dropHere: t(lang, T.dropHere),
    or: t(lang, T.or),
    choose: t(lang, T.choose),
    chosen: t(lang, T.chosen),
    submit: t(lang, T.submit),
    uploading: t(lang, T.uploading),
    verifying: t(lang, T.verifying),
    tooLarge: mb(t(lang, T.tooLarge)),
    wrongType: t(lang, T.wrongType),
    failed: t(lang, T.failed),
  };
}

/** GET renders the page with its title. */
export const handler: Handlers<unknown, PortalState> = {
  GET(_req, ctx) {
    ctx.state.title = t(ctx.state.lang, T.uploadTitle);
    return ctx.render();
  },
};

/** The start page. */
export default function UploadPage({ state }: PageProps<unknown, PortalState>) {
  const { lang } = state;
  const steps = [T.step1, T.step2, T.step3];
  return (
    <>
      <h1 class="page-title">{t(lang, T.uploadTitle)}</h1>
      <p class="lead">{t(lang, T.uploadLead)}</p>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title" class="section-title">{t(lang, T.stepsTitle)}</h2>
        <ol class="steps">
          {steps.map((s, i) => (
            <li class="step" key={i}>
              <span class="step-number" aria-hidden="true">{i + 1}</span>
              <span>{t(lang, s)}</span>
            </li>
          ))}
        </ol>
      </section>
      <section class="card" aria-labelledby="form-title">
        <h2 id="form-title" class="card-title">{t(lang, T.formTitle)}</h2>
        <UploadForm
          action="/verify"
          csrfToken={state.csrfToken ?? ""}
          lang={lang}
          maxBytes={state.portal.limits.maxBytes}
          text={uploadText(lang, state.portal.limits.maxBytes)}
        />
      </section>
      <section class="notes" aria-labelledby="notes-title">
        <h2 id="notes-title" class="section-title">
          <Icon name="lock" size={20} /> {t(lang, T.notesTitle)}
        </h2>
        <ul>
          <li>{t(lang, T.notePrivacy)}</li>
          <li>{t(lang, T.noteSearch)}</li>
          <li>{t(lang, T.noteOriginal)}</li>
        </ul>
      </section>
    </>
  );
}
