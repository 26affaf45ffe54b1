/**
 * Carries a card on (電子証明書の継続利用) at the NEW municipality's window
 * after the holder's 転入 (`npx -y deno@2.9.6 task card:continue`; `--help`
 * for usage): reads the resident's record in the new municipality's
 * registry (the window's credential), has the center move the card's
 * routing to the municipality (`POST /cards/{serial}/continuation` with the
 * municipality's credential, the resident's name, birth date and sex — the
 * center checks them against the card's holder binding, so a municipality
 * cannot claim a card none of its residents holds — and the record of the
 * identity check at the window), then links the card's serial to the
 * resident in the registry (`POST /municipalities/{code}/card-links`). The
 * card can be used at kiosks from the next day (the center's clock).
 *
 * ```
 * npx -y deno@2.9.6 task card:continue --municipality 401307 --resident 401307-00000001 --card card.json \
 *   --method 運転免許証 --verified-by staff-0042 --window-officer staff-0007 [--verified-at ISO]
 *   [--center URL] [--registry URL] [--certs DIR] [--center-token T] [--registry-token T]
 * ```
 *
 * The link needs the old municipality's 転出確定 (which ends the card's link
 * there); run the script again once it is recorded: the center's part is
 * not repeated (`changed: false`) and the link is made.
 *
 * @module
 */
import { openCard } from "../lib/card/card.ts";
import {
  describeAnswer,
  parseWindowCli,
  REGISTRY_OPTIONS,
  registryOptions,
  runAtWindow,
  VERIFICATION_OPTIONS,
  verificationRecord,
  WINDOW_OPTIONS,
  windowCall,
  type WindowVerification,
} from "./window_call.ts";

/** Options of {@linkcode continueCardAtWindow}. */
export interface ContinueCardOptions extends WindowVerification {
  /** The new municipality. */
  municipalityCode: string;
  /** The holder's resident id in the new municipality. */
  residentId: string;
  /** The card file. */
  card: string;
  centerUrl: string;
  centerToken?: string;
  registryUrl: string;
  registryToken?: string;
  /** HTTP client: mutual TLS with the window's certificate (tests route it to in-process apps). */
  fetch?: typeof fetch;
}

/** What was done. */
export interface CardContinued {
  serial: string;
  /** The municipality the card came from. */
  from: string;
  /** When the card routes to the new municipality from (ISO). */
  effectiveFrom: string;
  /** False when the center already routed the card there (a second run). */
  changed: boolean;
}

/**
 * Carries the card on and links it; throws `Error` saying which step
 * failed.
 *
 * @example
 * ```ts ignore
 * await continueCardAtWindow({ municipalityCode: "401307", residentId, card: "card.json",
 *   method: "運転免許証", verifiedBy: "staff-0042", windowOfficer: "staff-0007",
 *   centerUrl: "https://localhost:8103", registryUrl: "https://localhost:8111", fetch: windowFetch });
 * ```
 */
export async function continueCardAtWindow(
  opts: ContinueCardOptions,
): Promise<CardContinued> {
  const f = opts.fetch ?? fetch;
  const code = opts.municipalityCode;
  if (!/^\d{6}$/.test(code)) {
    throw new RangeError("--municipality must be a 6-digit code");
  }
  if (!opts.residentId) throw new RangeError("--resident is required");
  const card = await openCard(opts.card);
  const registry = `${opts.registryUrl}/municipalities/${code}`;
  const holder = await windowCall(
    f,
    `${registry}/residents/${encodeURIComponent(opts.residentId)}`,
    opts.registryToken,
    undefined,
    { "X-Purpose": encodeURIComponent("電子証明書の継続利用") },
  );
  if (holder.status !== 200) {
    throw new Error(
      `The registry refused the resident's record: ${describeAnswer(holder)}`,
    );
  }
  if (holder.body.status === "removed") {
    throw new Error("The resident is not a resident of the municipality");
  }
  const moved = await windowCall(
    f,
    `${opts.centerUrl}/cards/${card.serial}/continuation`,
    opts.centerToken,
    {
      municipalityCode: code,
      holder: {
        name: String(holder.body.name),
        birthDate: String(holder.body.birthDate),
        sex: holder.body.sex,
      },
      verification: verificationRecord(opts),
    },
  );
  if (moved.status !== 200) {
    throw new Error(
      `The center refused the continued use: ${describeAnswer(moved)}`,
    );
  }
  const link = await windowCall(
    f,
    `${registry}/card-links`,
    opts.registryToken,
    {
      serial: card.serial,
      residentId: opts.residentId,
    },
  );
  if (link.status !== 201) {
    // Linked by an earlier run?
    const mine = await windowCall(
      f,
      `${registry}/card-links/${card.serial}`,
      opts.registryToken,
      undefined,
    );
    if (mine.status !== 200 || mine.body.residentId !== opts.residentId) {
      throw new Error(
        `The center carried the card on, but the registry refused the link ` +
          `(is the 転出確定 in the previous municipality recorded? run again once it is): ${
            describeAnswer(link)
          }`,
      );
    }
  }
  return {
    serial: card.serial,
    from: String(moved.body.from),
    effectiveFrom: String(moved.body.effectiveFrom),
    changed: moved.body.changed === true,
  };
}

const CARD_CONTINUE_CLI = {
  task: "card:continue",
  usage:
    `--municipality 401307 --resident ID --card FILE --method 運転免許証 --verified-by ID
    --window-officer ID [--verified-at ISO] [--center URL] [--registry URL] [--certs DIR]
    [--center-token T] [--registry-token T]`,
  description:
    "Carries a card on (継続利用) at the new municipality's window after the holder's 転入:\n" +
    "the center checks the resident against the card's holder binding, records the identity\n" +
    "check and routes the card to the municipality from the next day; the card is linked to\n" +
    "the resident in the registry. Defaults: --center $JLIS_URL or https://localhost:8103,\n" +
    "--registry $REGISTRY_URL or https://localhost:8111; mutual TLS with the window's\n" +
    "certificate city-<code> from --certs ($CERTS_DIR or certs/).",
  options: {
    ...WINDOW_OPTIONS,
    ...REGISTRY_OPTIONS,
    ...VERIFICATION_OPTIONS,
    resident: { type: "string" },
    card: { type: "string" },
  },
  paths: ["card", "certs"],
} as const;

if (import.meta.main) {
  const { values, verification } = parseWindowCli(
    CARD_CONTINUE_CLI,
    "resident",
    "card",
  );
  await runAtWindow(CARD_CONTINUE_CLI, values, async (at) => {
    const done = await continueCardAtWindow({
      ...at,
      residentId: values.resident!,
      card: values.card!,
      ...verification,
      ...registryOptions(values),
    });
    return `card carried on: ${values.card}\n  serial ${done.serial}  ${done.from} → ${values.municipality}  ` +
      `usable from ${done.effectiveFrom}${
        done.changed ? "" : " (already carried on)"
      }`;
  });
}
