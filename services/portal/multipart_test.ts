import assert from "node:assert/strict";
import { parseSimpleMultipart, simpleBoundary } from "./multipart.ts";

/** A body as the platform writes a FormData, and its content type. */
async function encoded(form: FormData) {
  const res = new Response(form);
  const type = res.headers.get("content-type")!;
  return { type, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The platform parser's reading, in the fast path's terms. */
async function platform(body: Uint8Array<ArrayBuffer>, type: string) {
  const form = await new Response(body, { headers: { "content-type": type } })
    .formData();
  return Promise.all(
    [...form.entries()].map(async ([name, v]) =>
      typeof v === "string" ? { name, text: v } : {
        name,
        filename: v.name,
        bytes: new Uint8Array(await v.arrayBuffer()),
      }
    ),
  );
}

function fast(body: Uint8Array, type: string) {
  const boundary = simpleBoundary(type);
  assert.ok(boundary, type);
  const parts = parseSimpleMultipart(body, boundary);
  assert.ok(parts, "not read by the fast path");
  return parts.map((p) =>
    p.filename === undefined
      ? { name: p.name, text: new TextDecoder().decode(p.data) }
      : { name: p.name, filename: p.filename, bytes: p.data.slice() }
  );
}

Deno.test("parseSimpleMultipart() reads what the platform's FormData writes, as the platform's parser does", async () => {
  const scan = new Uint8Array(300_000).map((_, i) => (i * 7919) & 255);
  // Boundary-like bytes inside the file must not end it.
  scan.set(new TextEncoder().encode("\r\n--not-the-boundary\r\n"), 1000);
  const forms: FormData[] = [];
  const a = new FormData();
  a.set("scan", new File([scan], "scan.png"));
  forms.push(a);
  const b = new FormData();
  b.set("csrf", "tok-123");
  b.set("lang", "日本語");
  b.set(
    "scan",
    new File([scan.subarray(0, 10)], "スキャン.png", {
      type: "image/png",
    }),
  );
  b.set("empty", "");
  b.append("scan", new File([new Uint8Array(0)], ""));
  forms.push(b);
  for (const form of forms) {
    const { type, body } = await encoded(form);
    assert.deepEqual(fast(body, type), await platform(body, type));
  }
});

Deno.test("parseSimpleMultipart() leaves anything unusual to the platform's parser", async () => {
  const enc = new TextEncoder();
  const { body } = await encoded((() => {
    const f = new FormData();
    f.set("x", "1");
    return f;
  })());
  const text = new TextDecoder().decode(body);
  const boundary = text.slice(2, text.indexOf("\r\n"));
  const cases = [
    `preamble\r\n${text}`, // a preamble
    text.replace('name="x"', 'name="a%22b"'), // an escape in a name
    text.replace("Content-Disposition", "X-Other: 1\r\nContent-Disposition"),
    text.slice(0, -8), // cut short
    text.replace(`--${boundary}--`, `--${boundary}`), // no end
    text + "trailing junk",
  ];
  for (const c of cases) {
    assert.equal(parseSimpleMultipart(enc.encode(c), boundary), undefined, c);
  }
  assert.equal(
    simpleBoundary('multipart/form-data; boundary="quoted"'),
    undefined,
  );
  assert.equal(simpleBoundary("multipart/form-data; boundary=a b"), undefined);
  assert.equal(simpleBoundary("text/plain"), undefined);
  assert.equal(simpleBoundary("multipart/form-data; boundary=ok"), "ok");
});
