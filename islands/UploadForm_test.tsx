import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { uploadText } from "../routes/index.tsx";
import { assertSerializable } from "../services/portal/fresh/islands.ts";
import { SCAN_TYPES } from "../services/portal/scan_guard.ts";
import UploadForm, { ACCEPT, type UploadFormProps } from "./UploadForm.tsx";

const props: UploadFormProps = {
  action: "/verify",
  csrfToken: "tok.en.x",
  lang: "en",
  maxBytes: 20 * 1024 * 1024,
  text: uploadText("en", 20 * 1024 * 1024),
};

Deno.test("UploadForm renders, before hydration, a plain multipart form post that works without JavaScript", () => {
  const html = renderToString(<UploadForm {...props} />);
  assert.match(
    html,
    /^<form class="upload" method="post" action="\/verify" enctype="multipart\/form-data"/,
  );
  assert.match(html, /<input type="hidden" name="_csrf" value="tok.en.x"\/>/);
  assert.match(html, /<input type="hidden" name="lang" value="en"\/>/);
  assert.match(
    html,
    /<input class="file-input" id="scan" type="file" name="scan" accept="[^"]+" required/,
  );
  assert.match(
    html,
    /<button class="button button--primary" type="submit">Verify<\/button>/,
  );
  // Progress and errors appear only once hydrated and in use.
  assert.doesNotMatch(html, /<progress|role="alert"|upload--enhanced/);
});

Deno.test("UploadForm's file picker hint covers the four scan types", () => {
  // What the portal accepts (services/portal/scan_guard.ts), by extension
  // and by media type; the hint names those and nothing else.
  const accepted: string[] = [];
  for (const t of Object.values(SCAN_TYPES)) {
    accepted.push(...t.extensions, t.mediaType);
  }
  assert.equal(Object.keys(SCAN_TYPES).length, 4);
  for (const t of accepted) assert.ok(ACCEPT.split(",").includes(t), t);
  assert.deepEqual(new Set(ACCEPT.split(",")), new Set(accepted));
});

Deno.test("UploadForm's props are plain data, in both languages", () => {
  assertSerializable(props, "props");
  const ja = renderToString(
    <UploadForm
      {...props}
      lang="ja"
      text={uploadText("ja", 5 * 1024 * 1024)}
    />,
  );
  assert.match(ja, /ここにファイルをドラッグ＆ドロップ/);
  assert.match(ja, />照合する<\/button>/);
  assert.match(ja, /PNG・JPEG・TIFF・PDF、5MBまで/);
});
