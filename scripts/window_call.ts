/**
 * The HTTP call and the refusal text shared by the municipal window scripts
 * (`card:issue`, `card:pin-reset`).
 *
 * @module
 */

/**
 * One call of a municipal window script: GET without a body, POST JSON with
 * one; a bearer token only where one is kept besides the certificate. Never
 * throws on an answer: a body that is not JSON becomes `{ message_en }`.
 *
 * @example
 * ```ts ignore
 * const r = await windowCall(fetch, `${centerUrl}/cards`, undefined, { municipalityCode, csrPem });
 * if (r.status !== 201) throw new Error(describeAnswer(r));
 * ```
 */
export async function windowCall(
  f: typeof fetch,
  url: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await f(url, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { message_en: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed };
}

/** An answer in one line: status, code and both messages. */
export const describeAnswer = (
  r: { status: number; body: Record<string, unknown> },
) =>
  `${r.status} ${r.body.code ?? ""} ${r.body.message_ja ?? ""} ${
    r.body.message_en ?? ""
  }`.trim();
