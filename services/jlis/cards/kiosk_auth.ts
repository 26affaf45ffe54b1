/**
 * Kiosk card authentication. The kiosk opens a session and gets a random
 * nonce bound to its kiosk id; the card signs the nonce after the PIN; the
 * kiosk presents certificate and signature. The center then checks, in
 * this order: the session (this kiosk's, unused, unexpired — consumed by the
 * first attempt whatever its outcome), the certificate (this CA, P-256,
 * validity period at the clock), the signature (proof the card is present),
 * and last the card's status and routing, read from the shared database on
 * every call (a face-authentication-only card, which has no PIN, is refused
 * with its own code even when valid; a card whose holder moved out and was
 * not carried on, or was carried on today, too — routing.ts). The card's
 * municipality is the center's routing, never the certificate's.
 * The status is only disclosed to a caller who proved possession of the card.
 *
 * @module
 */
import { eq, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../../../lib/db/database.ts";
import { verifyCardSignature } from "../../../lib/card/certificate.ts";
import { kioskSessions } from "../../../db/jlis/schema.ts";
import { type CardAuthority, CertificateRejected } from "./card_authority.ts";
import { answeredBy } from "../../../lib/refusals/issuance.ts";
import { JlisError, type JlisErrorCode } from "../errors.ts";

/** Default lifetime of a kiosk session's nonce. */
export const DEFAULT_SESSION_TTL_MS = 60_000;

/** A new kiosk session. */
export interface KioskSessionOffer {
  sessionId: string;
  /** 32 random bytes, base64url: what the card signs. */
  nonce: string;
  expiresAt: Date;
}

/** A successful card authentication. */
export interface CardAuthentication {
  sessionId: string;
  municipalityCode: string;
  cardSerial: string;
}

/**
 * Opens a session for a kiosk.
 *
 * @example
 * ```ts ignore
 * const { sessionId, nonce } = await openKioskSession(db, "kiosk-0001", clock.now());
 * ```
 */
export async function openKioskSession(
  db: Db,
  kioskId: string,
  at: Date,
  ttlMs = DEFAULT_SESSION_TTL_MS,
): Promise<KioskSessionOffer> {
  const offer: KioskSessionOffer = {
    sessionId: crypto.randomUUID(),
    nonce: crypto.getRandomValues(new Uint8Array(32)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    }),
    expiresAt: new Date(at.getTime() + ttlMs),
  };
  // Plain SQL: this runs for every kiosk run, and a query builder costs
  // more CPU to turn into SQL than the insert costs the database.
  await db.execute(sql`insert into kiosk_sessions
    (id, kiosk_id, nonce, created_at, expires_at)
    values (${offer.sessionId}, ${kioskId}, ${offer.nonce},
      ${at.toISOString()}::timestamptz, ${offer.expiresAt.toISOString()}::timestamptz)`);
  return offer;
}

/** What the kiosk presents. */
export interface AuthenticateInput {
  sessionId: string;
  /** The kiosk calling (must be the session's). */
  kioskId: string;
  certificatePem: string;
  /** 64-byte ECDSA P-256 r‖s signature over `cardAuthMessage(nonce)`. */
  signature: Uint8Array;
  at: Date;
}

/**
 * Authenticates a card on a session; throws a JlisError with the refusal
 * code otherwise, after recording the outcome on the session.
 *
 * @example
 * ```ts ignore
 * const { municipalityCode, cardSerial } = await authenticateCard(db, authority, input);
 * ```
 */
export async function authenticateCard(
  db: Db,
  authority: CardAuthority,
  input: AuthenticateInput,
): Promise<CardAuthentication> {
  const { sessionId, kioskId, at } = input;
  // Consume the nonce: one statement, so two instances cannot both win.
  const iso = at.toISOString();
  const [session] = rowsOf<{ nonce: string }>(
    await db.execute(sql`update kiosk_sessions set used_at = ${iso}::timestamptz
      where id = ${sessionId} and kiosk_id = ${kioskId}
        and used_at is null and expires_at > ${iso}::timestamptz
      returning nonce`),
  );
  if (!session) {
    const [row] = await db.select().from(kioskSessions).where(
      eq(kioskSessions.id, sessionId),
    );
    if (!row || row.kioskId !== kioskId) {
      throw new JlisError("SESSION_NOT_FOUND", { sessionId });
    }
    if (row.usedAt) throw new JlisError("NONCE_REUSED", { sessionId });
    throw new JlisError("NONCE_EXPIRED", {
      sessionId,
      expiresAt: row.expiresAt.toISOString(),
    });
  }
  const refuse = async (
    code: JlisErrorCode,
    details?: Record<string, unknown>,
  ): Promise<never> => {
    await db.update(kioskSessions).set({ outcome: code }).where(
      eq(kioskSessions.id, sessionId),
    );
    throw new JlisError(code, { sessionId, ...details });
  };

  let cert;
  try {
    cert = await authority.check(input.certificatePem, at);
  } catch (err) {
    if (!(err instanceof CertificateRejected)) throw err;
    return await refuse("CERT_INVALID", { problem: err.problem });
  }
  if (
    !(await verifyCardSignature(
      cert.certificate,
      session.nonce,
      input.signature,
    ))
  ) {
    return await refuse("SIGNATURE_INVALID");
  }
  // The card's status, read now, and the session's outcome: one statement.
  const result = await db.execute(sql`
    with c as (
      select serial, municipality_code, certificate_sha256, status, pinless,
        moved_out_at, routed_from
      from cards where serial = ${cert.serial}
    ), o as (
      select case
          when c.serial is null then 'CARD_UNKNOWN'
          when c.certificate_sha256 <> ${cert.sha256} then 'CERT_INVALID'
          when c.status = 'suspended' then 'CARD_SUSPENDED'
          when c.status <> 'valid' then 'CARD_REVOKED'
          when c.pinless then 'FACE_AUTH_CARD_NOT_USABLE'
          when c.moved_out_at is not null then 'CARD_MOVED_OUT'
          when c.routed_from > ${iso}::timestamptz then 'CARD_CONTINUATION_PENDING'
          else 'AUTHENTICATED' end as outcome,
        c.serial, c.municipality_code
      from (select 1) one left join c on true
    )
    update kiosk_sessions s set
      outcome = o.outcome,
      card_serial = case when o.outcome = 'AUTHENTICATED' then o.serial end,
      municipality_code = case when o.outcome = 'AUTHENTICATED' then o.municipality_code end
    from o where s.id = ${sessionId}
    returning o.outcome, o.serial, o.municipality_code`);
  const card = rowsOf(result)[0] as
    | { outcome: string; serial: string; municipality_code: string }
    | undefined;
  if (!card || card.outcome !== "AUTHENTICATED") {
    const code = card?.outcome ?? "CARD_UNKNOWN";
    if (!answeredBy("center", code)) {
      throw new Error(`Card authentication gave an unknown outcome: ${code}`);
    }
    throw new JlisError(code, {
      sessionId,
      ...(code === "CERT_INVALID" ? { problem: "not-as-issued" } : {}),
    });
  }
  return {
    sessionId,
    municipalityCode: card.municipality_code,
    cardSerial: card.serial,
  };
}
