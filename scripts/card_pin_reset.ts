/**
 * Resets a card's PIN at the municipality's window
 * (`npx -y deno@2.9.6 task card:pin-reset`; `--help` for usage), after the
 * officer has checked the holder's identity (the card itself and a photo
 * identity document): asks the center for a one-time authorisation
 * (`POST /cards/{serial}/pin-reset` with the record of that check — method,
 * officers' ids, time; the center keeps it) and has the card set the new PIN
 * with it (lib/card/card.ts `resetPin`: wrong-PIN counter zeroed, old PIN no
 * longer valid). Mutual TLS with the window's certificate `city-<code>`.
 *
 * ```
 * npx -y deno@2.9.6 task card:pin-reset --municipality 401005 --card card.json --new-pin 5678 \
 *   --method 運転免許証 --verified-by staff-0042 --window-officer staff-0007 [--verified-at ISO]
 *   [--center URL] [--certs DIR] [--center-token T]
 * ```
 *
 * An interrupted reset (the center answered, the card file was not
 * rewritten) is simply run again: the center answers the same generation's
 * keys once more and records the second check.
 *
 * @module
 */
import { openCard, resetPin } from "../lib/card/card.ts";
import {
  describeAnswer,
  parseWindowCli,
  runAtWindow,
  VERIFICATION_OPTIONS,
  verificationRecord,
  WINDOW_OPTIONS,
  windowCall,
  type WindowVerification,
} from "./window_call.ts";

/** Options of {@linkcode resetCardPinAtWindow}. */
export interface PinResetOptions extends WindowVerification {
  municipalityCode: string;
  /** The card file. */
  card: string;
  newPin: string;
  centerUrl: string;
  centerToken?: string;
  /** HTTP client: mutual TLS with the window's certificate (tests route it to in-process apps). */
  fetch?: typeof fetch;
}

/** What was done. */
export interface PinResetDone {
  serial: string;
  /** The center's record of the reset. */
  resetId: string;
  /** The card's reset generation now. */
  generation: number;
}

/**
 * Records the identity check at the center and sets the new PIN on the card;
 * throws `Error` saying which step failed.
 *
 * @example
 * ```ts ignore
 * await resetCardPinAtWindow({ municipalityCode: "401005", card: "card.json", newPin: "5678",
 *   method: "運転免許証", verifiedBy: "staff-0042", windowOfficer: "staff-0007",
 *   centerUrl: "https://localhost:8103", fetch: windowFetch });
 * ```
 */
export async function resetCardPinAtWindow(
  opts: PinResetOptions,
): Promise<PinResetDone> {
  if (!/^\d{6}$/.test(opts.municipalityCode)) {
    throw new RangeError("--municipality must be a 6-digit code");
  }
  if (!/^\d{4}$/.test(opts.newPin)) {
    throw new RangeError("--new-pin must be 4 digits");
  }
  const card = await openCard(opts.card);
  const generation = await card.resetGeneration();
  if (generation === null) {
    throw new Error(
      card.pinless
        ? "This is a face-authentication-only card: it has no PIN to reset"
        : "This card has no reset slot (issued before PIN resets): re-issue it",
    );
  }
  const answer = await windowCall(
    opts.fetch ?? fetch,
    `${opts.centerUrl}/cards/${card.serial}/pin-reset`,
    opts.centerToken,
    {
      cardGeneration: generation,
      verification: verificationRecord(opts),
    },
  );
  const body = answer.body;
  if (answer.status !== 200) {
    throw new Error(
      `The center refused the PIN reset: ${describeAnswer(answer)}`,
    );
  }
  await resetPin(card, opts.newPin, {
    serial: String(body.serial),
    generation: Number(body.generation),
    unblockKey: String(body.unblockKey),
    nextUnblockKey: String(body.nextUnblockKey),
  });
  return {
    serial: card.serial,
    resetId: String(body.resetId),
    generation: (await card.resetGeneration())!,
  };
}

const CARD_PIN_RESET_CLI = {
  task: "card:pin-reset",
  usage:
    `--municipality 401005 --card FILE --new-pin 5678 --method 運転免許証 --verified-by ID
    --window-officer ID [--verified-at ISO] [--center URL] [--certs DIR] [--center-token T]`,
  description:
    "Resets the card's PIN at the municipal window after the holder's identity check:\n" +
    "records the check at the center (method, officers' ids, time), which authorises one\n" +
    "reset, then sets the new PIN on the card file and zeroes its wrong-PIN counter.\n" +
    "--method is the document shown (運転免許証, 旅券, 在留カード, …). Defaults: --center\n" +
    "$JLIS_URL or https://localhost:8103; mutual TLS with the window's certificate\n" +
    "city-<code> from --certs ($CERTS_DIR or certs/).",
  options: {
    ...WINDOW_OPTIONS,
    ...VERIFICATION_OPTIONS,
    card: { type: "string" },
    "new-pin": { type: "string" },
  },
  paths: ["card", "certs"],
} as const;

if (import.meta.main) {
  const { values, verification } = parseWindowCli(
    CARD_PIN_RESET_CLI,
    "card",
    "new-pin",
  );
  await runAtWindow(CARD_PIN_RESET_CLI, values, async (at) => {
    const done = await resetCardPinAtWindow({
      ...at,
      card: values.card!,
      newPin: values["new-pin"]!,
      ...verification,
    });
    return `PIN reset: ${values.card}\n  serial ${done.serial}  center record ${done.resetId}  ` +
      `reset generation ${done.generation}`;
  });
}
