/**
 * `POST /verify` — the upload form's target (works without JavaScript):
 * checks the CSRF token and the anonymous rate, verifies the scan and
 * renders the result page — the reduced front beside the verdict, the
 * reason, what to do next, and the issue number, municipality and issue
 * date. Nothing is stored, so there is no result URL to come back to:
 * `GET /verify` leads to the start page.
 *
 * @module
 */
import { CertificateFacts } from "../components/CertificateFacts.tsx";
import { FrontImage } from "../components/FrontImage.tsx";
import { RefusalPanel } from "../components/RefusalPanel.tsx";
import { SheetList } from "../components/SheetList.tsx";
import { VerdictPanel } from "../components/VerdictPanel.tsx";
import { CSRF_COOKIE, CSRF_FIELD } from "../services/portal/csrf.ts";
import type { Handlers, PageProps } from "../services/portal/fresh/types.ts";
import { T, t } from "../services/portal/i18n.ts";
import { type Refusal, refusal } from "../services/portal/refusals.ts";
import type { PortalState } from "../services/portal/state.ts";
import type { VerificationResult } from "../services/portal/verify.ts";

/** What the page shows. */
export type VerifyPageData =
  | { kind: "result"; result: VerificationResult; checkedAt: string }
  | { kind: "refused"; refusal: Refusal };

function csrfCookie(req: Request): string | undefined {
  return new RegExp(`(?:^|;\\s*)${CSRF_COOKIE}=([^;]*)`).exec(
    req.headers.get("cookie") ?? "",
  )?.[1];
}

/** POST verifies; GET goes back to the start page. */
export const handler: Handlers<VerifyPageData, PortalState> = {
  GET() {
    return new Response(null, { status: 303, headers: { Location: "/" } });
  },
  async POST(req, ctx) {
    const { portal, requestId } = ctx.state;
    const client = await portal.anonymize(ctx.state.remoteAddress);
    ctx.state.client = client;
    ctx.state.title = t(ctx.state.lang, T.resultTitle);
    const admitted = portal.anonymousLimiter.take(client);
    if (!admitted.ok) {
      await req.body?.cancel().catch(() => {});
      const r = refusal("RATE_LIMITED", {
        retryAfter: admitted.retryAfterSeconds,
      });
      return await ctx.render({ kind: "refused", refusal: r }, {
        status: r.status,
        headers: { "Retry-After": String(r.retryAfter) },
      });
    }
    const out = await portal.verifier.verifyRequest(req, {
      channel: "form",
      client,
      requestId,
    }, {
      checkFields: async (fields) =>
        await portal.csrf.verify(csrfCookie(req), fields[CSRF_FIELD])
          ? undefined
          : refusal("CSRF_FAILED"),
    });
    const lang = out.fields.lang;
    if (lang === "ja" || lang === "en") ctx.state.lang = lang;
    ctx.state.title = t(ctx.state.lang, T.resultTitle);
    if (!out.ok) {
      return await ctx.render({ kind: "refused", refusal: out.refusal }, {
        status: out.refusal.status,
        headers: out.refusal.retryAfter
          ? { "Retry-After": String(out.refusal.retryAfter) }
          : undefined,
      });
    }
    return await ctx.render({
      kind: "result",
      result: out.result,
      checkedAt: portal.clock.now().toISOString(),
    });
  },
};

const STAMP = {
  voided: { ja: "無効", en: "VOID" },
  revoked: { ja: "取消", en: "REVOKED" },
};

/** The result page. */
export default function VerifyPage(
  { data, state }: PageProps<VerifyPageData, PortalState>,
) {
  const { lang } = state;
  const again = (
    <p class="actions">
      <a class="button button--primary" href="/">{t(lang, T.again)}</a>
    </p>
  );
  if (data.kind === "refused") {
    return (
      <div class="result result--single">
        <RefusalPanel lang={lang} refusal={data.refusal} />
        {again}
      </div>
    );
  }
  const r = data.result;
  const stampOf = (v: VerificationResult["verdict"]) =>
    v === "voided" || v === "revoked" ? STAMP[v][lang] : undefined;
  const stamp = stampOf(r.verdict);
  if (r.sheets.length > 1) {
    // Several sheets: the overall (worst) verdict, then each sheet's own.
    return (
      <div class="result result--single result--sheets">
        <div class="result-side">
          <VerdictPanel lang={lang} verdict={r.verdict} reason={r.reason} />
          <SheetList
            lang={lang}
            sheets={r.sheets}
            frontPages={r.frontPages}
            checkedAt={data.checkedAt}
            stampOf={stampOf}
          />
          {again}
        </div>
      </div>
    );
  }
  const side = (
    <div class="result-side">
      <VerdictPanel
        lang={lang}
        verdict={r.verdict}
        reason={r.reason}
        note={r.statusNote}
      />
      {(r.certificate || r.issueNumber) && (
        <CertificateFacts
          lang={lang}
          certificate={r.certificate}
          issueNumber={r.issueNumber}
          keyId={r.keyId}
          status={r.status}
          checkedAt={data.checkedAt}
        />
      )}
      {again}
    </div>
  );
  if (!r.frontImagePng) {
    return <div class="result result--single">{side}</div>;
  }
  return (
    <div class="result">
      <FrontImage lang={lang} png={r.frontImagePng} stamp={stamp} />
      {side}
    </div>
  );
}
