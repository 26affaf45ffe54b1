/**
 * The kiosk as a resident sees it: a browser screen over the same kiosk
 * client as `deno task kiosk` ({@linkcode createKiosk}). Each step is a
 * server-rendered page with a plain form; what the applicant chose waits in
 * a server-side session (sessions.ts) under an opaque id in the path.
 *
 * ```
 * GET  /                        place a card (the card files of the cards folder)
 * POST /sessions                card → a session              → /s/{id}/pin
 * GET|POST /s/{id}/pin          the PIN pad: authenticates the card → type (a refusal → result)
 * GET|POST /s/{id}/type         the certificate type           → members | options | confirm
 * GET|POST /s/{id}/members      the household's names to tick (世帯全員 a shortcut) → options | confirm
 * GET|POST /s/{id}/options      本籍・筆頭者, 世帯主・続柄, 個人番号 → confirm
 * GET|POST /s/{id}/confirm      the choices, 部数 (1–10) and the fee; simulated mishaps; prints → result
 * GET  /s/{id}/result           refusal, alarm or done screen
 * POST /s/{id}/alarms/{what}    a left card or paper taken → result
 * GET  /s/{id}/certificate.pdf  what the printer printed
 * POST /s/{id}/end              back to the first screen
 * ```
 *
 * As at a real kiosk the PIN comes right after the card: its request
 * authenticates the card at the center (the kiosk client's `authenticate`
 * step) and the PIN goes no further — it is never stored; the screen's
 * session keeps only the center's session id (and its correlation id). The
 * members step then reads the household's names from the center
 * (`household`): every current member, listed alike whether or not they
 * can be issued at a kiosk — a member under 支援措置 is neither left out nor
 * marked, since a gap would reveal it; choosing them is refused with the
 * neutral message at print, like any request. The names are held in the
 * screen's session only until it prints or ends. Confirming prints
 * (`issue`), which uses the center's session up.
 *
 * @module
 */
import { MAX_COPIES } from "../../../lib/contracts/kiosk_center.ts";
import { peopleOf } from "../../../lib/certificate/model.ts";
import { Hono } from "hono";
import type { Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { CardError, openCard } from "../../../lib/card/card.ts";
import {
  CERTIFICATE_CATALOGUE,
  isCertificateType,
} from "../../../lib/certificate/types/mod.ts";
import {
  type Logger,
  safeError,
  silentLogger,
} from "../../../lib/service/logger.ts";
import {
  createKiosk,
  type KioskOptions,
  type KioskReceipt,
  type KioskRefusal,
  type KioskSession,
} from "../kiosk.ts";
import {
  AlarmScreen,
  type CardChoice,
  CardScreen,
  ConfirmScreen,
  DoneScreen,
  EndedScreen,
  FaultScreen,
  MembersScreen,
  optionsOf,
  OptionsScreen,
  PinScreen,
  RefusalScreen,
  TypeScreen,
} from "./pages.tsx";
import { PIN_PAD_JS } from "./pin_pad.ts";
import {
  createSessionStore,
  type ScreenResult,
  type ScreenSession,
  type SessionStore,
} from "./sessions.ts";
import { SCREEN_CSS } from "./styles.ts";

/** What the screen needs. */
export interface KioskScreenDeps {
  /** The kiosk client's options (the screen adds its own `onEvent`). */
  kiosk: Omit<KioskOptions, "onEvent">;
  /** The folder whose `*.card.json` files the first screen offers. */
  cardsDir: string;
  /** Where printed PDFs wait until their session ends (default: a temporary folder). */
  outDir?: string;
  /** Session lifetime without activity, ms (default 5 minutes). */
  sessionTtlMs?: number;
  /** How long the kiosk waits before a leave-behind alarm, ms (default 2000). */
  alarmAfterMs?: number;
  /** Clock for session expiry, ms since the epoch (default `Date.now`). */
  now?: () => number;
  logger?: Logger;
}

/** What the app's handlers share. */
interface ScreenState {
  deps: KioskScreenDeps;
  sessions: SessionStore;
  logger: Logger;
  outDir?: string;
}

const CARD_SUFFIX = ".card.json";
const PIN = /^\d{4}$/;

/**
 * Creates the kiosk screen app.
 *
 * @example
 * ```ts ignore
 * const app = createKioskScreenApp({
 *   kiosk: { centerUrl: "http://127.0.0.1:8103", token: "dev-jlis-kiosk-0001", renderer: createRenderer },
 *   cardsDir: "./data/cards",
 * });
 * Deno.serve({ port: 8107 }, app.fetch);
 * ```
 */
export function createKioskScreenApp(deps: KioskScreenDeps): Hono {
  if (!deps.cardsDir) throw new TypeError("The kiosk screen needs a cardsDir");
  if (!deps.kiosk.renderer) {
    throw new TypeError("The kiosk screen prints: kiosk.renderer is required");
  }
  const st: ScreenState = {
    deps,
    logger: deps.logger ?? silentLogger(),
    outDir: deps.outDir,
    sessions: createSessionStore({
      ttlMs: deps.sessionTtlMs,
      now: deps.now,
      onEnd: (s) => {
        if (s.result?.ok && s.result.pdfPath) {
          Deno.remove(s.result.pdfPath).catch(() => {});
        }
      },
    }),
  };
  const app = new Hono();
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "no-referrer",
  }));
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) {
      c.res.headers.set("Cache-Control", "no-store");
    }
  });

  app.get("/screen.css", (c) =>
    c.body(SCREEN_CSS, 200, {
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": "max-age=300",
    }));
  app.get("/pin_pad.js", (c) =>
    c.body(PIN_PAD_JS, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "max-age=300",
    }));

  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get(
    "/",
    async (c) => page(c, <CardScreen cards={await listCards(st)} />),
  );

  app.post("/sessions", async (c) => {
    const form = await c.req.parseBody();
    const file = String(form.card ?? "");
    const cards = await listCards(st);
    if (!cards.some((k) => k.file === file && !k.unreadable)) {
      return page(c, <CardScreen cards={cards} />, 400);
    }
    const s = st.sessions.create(file);
    return c.redirect(`/s/${s.id}/pin`, 303);
  });

  const s = new Hono<{ Variables: { session: ScreenSession } }>();
  s.use(async (c, next) => {
    const session = st.sessions.get(c.req.param("sid") ?? "");
    if (!session) return page(c, <EndedScreen />, 404);
    c.set("session", session);
    await next();
  });

  s.get("/pin", (c) => {
    const session = c.get("session");
    const jump = guard(session, "pin");
    if (jump) return c.redirect(jump, 303);
    return page(c, <PinScreen sid={session.id} />);
  });
  s.post("/pin", async (c) => {
    const session = c.get("session");
    const jump = guard(session, "pin");
    if (jump) return c.redirect(jump, 303);
    if (session.busy) {
      return page(c, <FaultScreen sid={session.id} busy />, 409);
    }
    const pin = String((await c.req.parseBody()).pin ?? "");
    if (!PIN.test(pin)) {
      return page(
        c,
        <PinScreen
          sid={session.id}
          error={{
            ja: "暗証番号は数字4桁です。",
            en: "The PIN is 4 digits.",
          }}
        />,
        422,
      );
    }
    session.busy = true;
    session.result = undefined;
    try {
      const r = await authenticateFor(st, session, pin);
      if (!r.ok) {
        session.result = { ok: false, refusal: r };
        return c.redirect(`/s/${session.id}/result`, 303);
      }
      session.center = {
        sessionId: r.sessionId,
        correlationId: r.correlationId,
        cardSerial: r.cardSerial,
        municipalityCode: r.municipalityCode,
      };
      session.fees = r.fees;
    } catch (err) {
      st.logger.error("kiosk authentication failed", { error: safeError(err) });
      return page(c, <FaultScreen />, 502);
    } finally {
      session.busy = false;
    }
    return c.redirect(`/s/${session.id}/type`, 303);
  });

  s.get("/type", (c) => {
    const session = c.get("session");
    const jump = guard(session, "type");
    if (jump) return c.redirect(jump, 303);
    return page(c, <TypeScreen sid={session.id} fees={session.fees} />);
  });
  s.post("/type", async (c) => {
    const session = c.get("session");
    const jump = guard(session, "type");
    if (jump) return c.redirect(jump, 303);
    const type = String((await c.req.parseBody()).type ?? "");
    if (!isCertificateType(type)) {
      return page(
        c,
        <TypeScreen sid={session.id} fees={session.fees} />,
        400,
      );
    }
    if (type !== session.type) {
      session.type = type;
      session.members = "self";
      session.options = { honseki: false, zokugara: false, myNumber: false };
    }
    return c.redirect(`/s/${session.id}/${stepAfter(session, "type")}`, 303);
  });

  s.get("/members", async (c) => {
    const session = c.get("session");
    const jump = guard(session, "members") ?? await loadHousehold(st, session);
    if (jump) return c.redirect(jump, 303);
    return page(c, <MembersScreen sid={session.id} session={session} />);
  });
  s.post("/members", async (c) => {
    const session = c.get("session");
    const jump = guard(session, "members") ?? await loadHousehold(st, session);
    if (jump) return c.redirect(jump, 303);
    const form = await c.req.parseBody({ all: true });
    const members = membersOf(session, form);
    if (!members) {
      return page(
        c,
        <MembersScreen
          sid={session.id}
          session={session}
          error={{
            ja: "証明書が必要な方を1人以上選んでください。",
            en: "Choose at least one person.",
          }}
        />,
        400,
      );
    }
    session.members = members;
    return c.redirect(`/s/${session.id}/${stepAfter(session, "members")}`, 303);
  });

  s.get("/options", (c) => {
    const session = c.get("session");
    const jump = guard(session, "options");
    if (jump) return c.redirect(jump, 303);
    return page(c, <OptionsScreen sid={session.id} session={session} />);
  });
  s.post("/options", async (c) => {
    const session = c.get("session");
    const jump = guard(session, "options");
    if (jump) return c.redirect(jump, 303);
    const form = await c.req.parseBody();
    for (const k of optionsOf(session.type!)) session.options[k] = !!form[k];
    return c.redirect(`/s/${session.id}/confirm`, 303);
  });

  s.get("/confirm", (c) => {
    const session = c.get("session");
    const jump = guard(session, "confirm");
    if (jump) return c.redirect(jump, 303);
    return page(c, <ConfirmScreen sid={session.id} session={session} />);
  });
  s.post("/confirm", async (c) => {
    const session = c.get("session");
    const jump = guard(session, "confirm");
    if (jump) return c.redirect(jump, 303);
    if (session.busy) {
      return page(c, <FaultScreen sid={session.id} busy />, 409);
    }
    const form = await c.req.parseBody();
    const copies = Number(form.copies ?? 1);
    if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
      return page(
        c,
        <ConfirmScreen
          sid={session.id}
          session={session}
          error={{
            ja: `部数は1〜${MAX_COPIES}部で選んでください。`,
            en: `Choose from 1 to ${MAX_COPIES} copies.`,
          }}
        />,
        400,
      );
    }
    session.copies = copies;
    session.simulate = {
      jam: !!form.jam,
      leaveCard: !!form.leaveCard,
      leavePaper: !!form.leavePaper,
    };
    session.busy = true;
    session.result = undefined;
    try {
      session.result = await printFor(st, session);
    } catch (err) {
      st.logger.error("kiosk run failed", { error: safeError(err) });
      return page(c, <FaultScreen />, 502);
    } finally {
      session.busy = false;
      // The center's session is used up by the request, printed or refused.
      session.center = undefined;
      session.household = undefined;
      session.householdFormat = undefined;
    }
    return c.redirect(`/s/${session.id}/result`, 303);
  });

  s.get("/result", (c) => {
    const { id, result, center } = c.get("session");
    if (!result) {
      return c.redirect(`/s/${id}/${center ? "confirm" : "pin"}`, 303);
    }
    if (!result.ok) {
      return page(c, <RefusalScreen sid={id} refusal={result.refusal} />);
    }
    const [alarm] = result.alarms;
    if (alarm) return page(c, <AlarmScreen sid={id} alarm={alarm} />);
    return page(c, <DoneScreen sid={id} result={result} />);
  });
  s.post("/alarms/:what", (c) => {
    const { id, result } = c.get("session");
    if (result?.ok) {
      result.alarms = result.alarms.filter((a) =>
        a.what !== c.req.param("what")
      );
    }
    return c.redirect(`/s/${id}/result`, 303);
  });

  s.get("/certificate.pdf", async (c) => {
    const { result } = c.get("session");
    if (!result?.ok || !result.pdfPath) return page(c, <EndedScreen />, 404);
    const pdf = await Deno.readFile(result.pdfPath);
    return c.body(pdf, 200, {
      "Content-Type": "application/pdf",
      "Content-Disposition":
        `inline; filename="certificate-${result.issueNumber}.pdf"`,
    });
  });

  s.post("/end", (c) => {
    st.sessions.end(c.get("session").id);
    return c.redirect("/", 303);
  });

  app.route("/s/:sid", s);
  return app;
}

function page(
  c: Context,
  node: VNode,
  status: 200 | 400 | 404 | 409 | 422 | 502 = 200,
) {
  return c.html(`<!DOCTYPE html>${renderToString(node)}`, status);
}

type Step = "pin" | "type" | "members" | "options" | "confirm";

/** The step after `step` for the session's type (skipping those it has none of). */
function stepAfter(s: ScreenSession, step: "type" | "members"): Step {
  const type = s.type!;
  if (step === "type" && CERTIFICATE_CATALOGUE[type].household) {
    return "members";
  }
  return optionsOf(type).length ? "options" : "confirm";
}

/**
 * Where to go instead of `step`, when the session is not there: a finished
 * print goes to its result, a session without an authenticated card to the
 * PIN (and an authenticated one past it), a session without a type to the
 * type screen, a step the type does not have to the next one.
 */
function guard(s: ScreenSession, step: Step): string | undefined {
  if (s.result?.ok) return `/s/${s.id}/result`;
  if (step === "pin") return s.center ? `/s/${s.id}/type` : undefined;
  if (!s.center) return `/s/${s.id}/pin`;
  if (step === "type") return undefined;
  if (!s.type) return `/s/${s.id}/type`;
  if (step === "members" && !CERTIFICATE_CATALOGUE[s.type].household) {
    return `/s/${s.id}/${stepAfter(s, "members")}`;
  }
  if (step === "options" && !optionsOf(s.type).length) {
    return `/s/${s.id}/confirm`;
  }
  return undefined;
}

/**
 * Reads the household's names from the center once per authenticated
 * session; on a refusal (the applicant cannot be issued, a stale replica…)
 * the refusal becomes the result and the screen goes there.
 */
async function loadHousehold(
  st: ScreenState,
  s: ScreenSession,
): Promise<string | undefined> {
  if (s.household) return undefined;
  const r = await kioskFor(st).household(s.center!);
  if (!r.ok) {
    s.result = { ok: false, refusal: r };
    s.center = undefined;
    return `/s/${s.id}/result`;
  }
  s.household = r.members;
  s.householdFormat = r.householdFormat;
  return undefined;
}

/**
 * The members chosen on the form: 世帯全員 (the shortcut button), or the
 * ticked names — each one of the listed household, at least one; only the
 * applicant is 本人のみ. Undefined when nothing valid was chosen.
 */
function membersOf(
  s: ScreenSession,
  form: Record<string, string | File | (string | File)[]>,
): ScreenSession["members"] | undefined {
  if (form.members === "all") return "all";
  const listed = s.household ?? [];
  const raw = form.member;
  const ticked = new Set(
    (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String),
  );
  const chosen = listed.filter((m) => ticked.has(m.residentId)).map((m) =>
    m.residentId
  );
  if (!chosen.length || chosen.length !== ticked.size) return undefined;
  if (chosen.length === 1 && chosen[0] === listed[0]?.residentId) return "self";
  if (chosen.length === listed.length) return "all";
  return chosen;
}

/** The card files of the cards folder, each opened to show its municipality. */
async function listCards(st: ScreenState): Promise<CardChoice[]> {
  const cards: CardChoice[] = [];
  try {
    for await (const e of Deno.readDir(st.deps.cardsDir)) {
      if (!e.isFile || !e.name.endsWith(CARD_SUFFIX)) continue;
      const label = e.name.slice(0, -CARD_SUFFIX.length);
      try {
        const card = await openCard(`${st.deps.cardsDir}/${e.name}`);
        cards.push({
          file: e.name,
          label,
          municipalityCode: card.municipalityCode ?? undefined,
          locked: await card.remainingTries() === 0,
        });
      } catch {
        cards.push({ file: e.name, label, unreadable: true });
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return cards.sort((a, b) => a.file.localeCompare(b.file));
}

/** A kiosk client reporting to `events` (screens and alarms). */
function kioskFor(
  st: ScreenState,
  events?: {
    screens: string[];
    alarms: { what: "card" | "paper"; message_ja: string }[];
  },
) {
  return createKiosk({
    ...st.deps.kiosk,
    onEvent: (e) => {
      if (!events) return;
      if (e.kind === "alarm") events.alarms.push(e);
      else events.screens.push(e.message_ja);
    },
  });
}

/** Authenticates the session's card with the PIN of this request (not kept). */
async function authenticateFor(
  st: ScreenState,
  s: ScreenSession,
  pin: string,
): Promise<KioskSession | KioskRefusal> {
  let card;
  try {
    card = await openCard(`${st.deps.cardsDir}/${s.card}`);
  } catch (err) {
    if (!(err instanceof CardError)) throw err;
    return {
      ok: false,
      stage: "card",
      code: err.code,
      message_ja: err.ja,
      message_en: err.en,
    };
  }
  return await kioskFor(st).authenticate(card, pin);
}

/**
 * The people on each sheet (a 世帯連記式 sheet's members joined with 「、」);
 * ids only for a document the kiosk could not decode.
 */
function sheetNames(r: KioskReceipt): string[] {
  try {
    return r.sheets.map((sheet) =>
      peopleOf(sheet).map((p) => p.name).join("、")
    );
  } catch {
    return r.subjects;
  }
}

/** Asks for the certificate on the session's authenticated card, prints, reports. */
async function printFor(
  st: ScreenState,
  s: ScreenSession,
): Promise<ScreenResult> {
  const events = {
    screens: [] as string[],
    alarms: [] as { what: "card" | "paper"; message_ja: string }[],
  };
  st.outDir ??= await Deno.makeTempDir({ prefix: "kiosk-screen-" });
  const r = await kioskFor(st, events).issue(s.center!, {
    type: s.type!,
    members: s.members,
    options: s.options,
    copies: s.copies,
    jamPage: s.simulate.jam ? -1 : null,
    pdfPath: `${st.outDir}/${s.id}.pdf`,
    leaveCard: s.simulate.leaveCard,
    leavePaper: s.simulate.leavePaper,
    alarmAfterMs: st.deps.alarmAfterMs ?? 2000,
  });
  if (!r.ok) return { ok: false, refusal: r };
  return {
    ok: true,
    issueNumber: r.issueNumber,
    pages: r.pages,
    delivered: r.delivered,
    voided: r.voided,
    fee: r.fee,
    refund: r.refund,
    copies: r.copies,
    names: sheetNames(r),
    pdfPath: r.pdfPath,
    screens: events.screens,
    ...(r.printFailure ? { printFailed: true } : {}),
    alarms: events.alarms.map(({ what, message_ja }) => ({ what, message_ja })),
  };
}
