/**
 * The center's message log and response signatures, as X-Road does: every
 * request received and every response sent is recorded (time, direction,
 * peer, request id, the run's correlation id, SHA-256 of the body — never
 * the body), and every
 * response carries the center's ECDSA signature in `X-Center-Signature`,
 * made by the signer (lib/crypto/signer.ts) and kept in the log too.
 *
 * The signature covers method, path, request id, status, signing time and
 * the body's hash, so a response cannot be replayed for another request;
 * its exact input and the header are defined with the protocol
 * (lib/contracts/kiosk_center.ts, lib/contracts/signed_message.ts), where
 * clients verify it.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Db } from "../../../lib/db/database.ts";
import {
  responseSigningInput,
  type SignedResponseFields,
} from "../../../lib/contracts/kiosk_center.ts";
import {
  formatSignatureHeader,
  sha256B64,
  SIGNATURE_HEADER,
} from "../../../lib/contracts/signed_message.ts";
import type { Signer } from "../../../lib/crypto/signer.ts";
import type { ServiceEnv } from "../../../lib/service/app.ts";
import type { Clock } from "../../../lib/time/clock.ts";
import { peerSubject } from "../../../lib/tls/mtls.ts";
import type { JlisAuthEnv } from "../auth.ts";

/** Options of {@linkcode messageLogger}. */
export interface MessageLoggerOptions {
  messages: MessageLog;
  signer: Signer;
  clock: Clock;
}

const b64 = (b: Uint8Array) =>
  b.toBase64({ alphabet: "base64url", omitPadding: true });

/**
 * Signs a message (response, or a request to an ASP node) and returns the
 * header value `keyId=…; time=…; sig=…` and its parts.
 *
 * @example
 * ```ts ignore
 * const s = await signMessage(signer, time, bytes);
 * headers.set(SIGNATURE_HEADER, s.header);
 * ```
 */
export async function signMessage(
  signer: Signer,
  time: string,
  input: Uint8Array,
): Promise<{ keyId: string; signature: string; header: string }> {
  const keyId = signer.activeKeyId();
  const signature = b64(await signer.sign(keyId, input));
  return {
    keyId,
    signature,
    header: formatSignatureHeader({ keyId, time, sig: signature }),
  };
}

/**
 * Middleware: logs the request and the response, and signs the response.
 * A response is only sent once both log rows are written (fail closed).
 *
 * @example
 * ```ts ignore
 * app.use(messageLogger({ messages: createMessageLog(db), signer, clock }));
 * ```
 */
export function messageLogger(opts: MessageLoggerOptions) {
  return createMiddleware<
    { Variables: ServiceEnv["Variables"] & Partial<JlisAuthEnv["Variables"]> }
  >(
    async (c, next) => {
      const receivedAt = opts.clock.now();
      const inBody = c.req.method === "GET" || c.req.method === "HEAD"
        ? new Uint8Array(0)
        : new Uint8Array(await c.req.arrayBuffer());
      const inSignature = c.req.header("X-Client-Signature") ?? null;
      await next();
      const requestId = c.get("requestId");
      const correlationId = c.get("correlationId") ?? null;
      const sentAt = opts.clock.now();
      const out = new Uint8Array(await c.res.clone().arrayBuffer());
      const fields: SignedResponseFields = {
        method: c.req.method,
        path: c.req.path,
        requestId,
        status: c.res.status,
        time: sentAt.toISOString(),
        bodySha256: await sha256B64(out),
      };
      const signed = await signMessage(
        opts.signer,
        fields.time,
        responseSigningInput(fields),
      );
      const { keyId, signature } = signed;
      c.res.headers.set(SIGNATURE_HEADER, signed.header);
      // The authenticated client; else the certificate's name of a refused
      // TLS peer (unregistered or out of scope); else anonymous.
      const client = c.get("client")?.id;
      const tlsPeer = client === undefined ? peerSubject(c) : null;
      const peer = client ??
        (tlsPeer ? `certificate:${tlsPeer.commonName}` : "anonymous");
      const common = {
        peer,
        requestId,
        correlationId,
        method: fields.method,
        path: fields.path,
      };
      await opts.messages.write([
        {
          ...common,
          at: receivedAt,
          direction: "in",
          messageSha256: await sha256B64(inBody),
          signature: inSignature,
        },
        {
          ...common,
          at: sentAt,
          direction: "out",
          status: fields.status,
          messageSha256: fields.bodySha256,
          signature,
          keyId,
        },
      ]);
    },
  );
}

/** One message log row to write. */
export interface MessageRow {
  at: Date;
  direction: "in" | "out";
  peer: string;
  requestId: string;
  /** The run's correlation id (`X-Correlation-Id`), when known. */
  correlationId?: string | null;
  method: string;
  path: string;
  status?: number | null;
  messageSha256: string;
  signature?: string | null;
  keyId?: string | null;
}

/**
 * Writes message log rows in one statement. The rows travel as one JSON
 * parameter, so the statement's text is the same for any number of rows
 * and is prepared once per connection.
 *
 * @example
 * ```ts ignore
 * await insertMessages(db, [{ at, direction: "in", peer, requestId, method, path, messageSha256 }]);
 * ```
 */
export async function insertMessages(
  db: Db,
  rows: MessageRow[],
): Promise<void> {
  if (!rows.length) return;
  const json = JSON.stringify(rows.map((r) => ({
    at: r.at.toISOString(),
    direction: r.direction,
    peer: r.peer,
    request_id: r.requestId,
    correlation_id: r.correlationId ?? null,
    method: r.method,
    path: r.path,
    status: r.status ?? null,
    message_sha256: r.messageSha256,
    signature: r.signature ?? null,
    key_id: r.keyId ?? null,
  })));
  await db.execute(sql`insert into message_log
    (at, direction, peer, request_id, correlation_id, method, path, status,
      message_sha256, signature, key_id)
    select at, direction, peer, request_id, correlation_id, method, path, status,
      message_sha256, signature, key_id
    from jsonb_to_recordset(${json}::jsonb) as x(at timestamptz, direction text,
      peer text, request_id text, correlation_id text, method text, path text,
      status integer, message_sha256 text, signature text, key_id text)`);
}

/** Writes message log rows; resolves once they are committed. */
export interface MessageLog {
  write(rows: MessageRow[]): Promise<void>;
}

/**
 * A message log with group commit: rows written while a statement is in
 * flight wait and go together in the next one (at most `maxRows`), so under
 * load the log costs one statement per group of messages instead of one
 * per message. Each `write` still resolves only after its rows are
 * committed, and rejects if they are not (the caller fails closed).
 *
 * @example
 * ```ts ignore
 * const messages = createMessageLog(db);
 * await messages.write([{ at, direction: "in", peer, requestId, method, path, messageSha256 }]);
 * ```
 */
export function createMessageLog(
  db: Db,
  opts: { maxRows?: number } = {},
): MessageLog {
  const maxRows = opts.maxRows ?? 1000;
  type Waiting = {
    rows: MessageRow[];
    resolve: () => void;
    reject: (e: unknown) => void;
  };
  let queue: Waiting[] = [];
  let flushing = false;
  async function flush() {
    flushing = true;
    try {
      while (queue.length) {
        let n = 0;
        let take = 0;
        while (take < queue.length && (take === 0 || n < maxRows)) {
          n += queue[take++].rows.length;
        }
        const group = queue.slice(0, take);
        queue = queue.slice(take);
        try {
          await insertMessages(db, group.flatMap((w) => w.rows));
          for (const w of group) w.resolve();
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      flushing = false;
    }
  }
  return {
    write(rows) {
      if (!rows.length) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ rows, resolve, reject });
        if (!flushing) void flush();
      });
    },
  };
}
