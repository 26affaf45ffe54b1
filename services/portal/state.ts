/**
 * What every portal route sees in `ctx.state`: the language, the request
 * id, the caller's address (only ever hashed), and the portal's services.
 *
 * @module
 */
import type { KeyList } from "../../lib/crypto/key_list.ts";
import type { Logger } from "../../lib/service/logger.ts";
import type { Clock } from "../../lib/time/clock.ts";
import type { ApiClient, ApiKeyRegistry } from "./clients.ts";
import type { CsrfTokens } from "./csrf.ts";
import type { Lang } from "./i18n.ts";
import type { RateDecision, RateLimiter } from "./rate_limit.ts";
import type { ScanLimits } from "./scan_guard.ts";
import type { Verifier } from "./verify.ts";

/** The portal's services, built once by `createPortalApp`. */
export interface PortalServices {
  verifier: Verifier;
  keyList: KeyList;
  limits: ScanLimits;
  csrf: CsrfTokens;
  apiKeys: ApiKeyRegistry;
  /** Buckets of anonymous callers, keyed by their hashed address. */
  anonymousLimiter: RateLimiter;
  /** Takes a token from an API client's own bucket. */
  limitApiClient(client: ApiClient): RateDecision;
  /** `anon:<keyed hash>` of an address. */
  anonymize(address: string): Promise<string>;
  clock: Clock;
  logger: Logger;
  /** Set `Secure` on cookies (behind HTTPS). */
  secureCookies: boolean;
}

/** `ctx.state` of every portal route. */
export interface PortalState {
  lang: Lang;
  requestId: string;
  /** The caller's address (used only to derive its anonymous id). */
  remoteAddress: string;
  /** CSRF token for the page's form (set by `_middleware`). */
  csrfToken?: string;
  /** Audit identity of the caller (set by `api/_middleware` or the form route). */
  client?: string;
  /** Page title (set by handlers). */
  title?: string;
  portal: PortalServices;
}
