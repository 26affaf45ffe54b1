/**
 * The upload form. Rendered on the server as a plain multipart form that
 * posts to `/verify` (with its CSRF token), so it works without JavaScript;
 * once hydrated it adds a drop zone, a check of the file before sending,
 * upload progress and a "verifying" state, and shows the result page in
 * place. Its props are plain data (serialized into the page).
 *
 * @module
 */
import type { TargetedDragEvent, TargetedSubmitEvent } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** The texts of the form, in the page's language. */
export interface UploadFormText {
  label: string;
  required: string;
  hint: string;
  dropHere: string;
  or: string;
  choose: string;
  chosen: string;
  submit: string;
  uploading: string;
  verifying: string;
  tooLarge: string;
  wrongType: string;
  failed: string;
}

/** Props of {@linkcode UploadForm}: all serializable. */
export interface UploadFormProps {
  action: string;
  csrfToken: string;
  lang: "ja" | "en";
  maxBytes: number;
  text: UploadFormText;
}

/** What the file input accepts (a hint for the picker; the server sniffs the bytes). */
export const ACCEPT =
  ".png,.jpg,.jpeg,.tif,.tiff,.pdf,image/png,image/jpeg,image/tiff,application/pdf";

const EXTENSIONS = /\.(png|jpe?g|tiff?|pdf)$/i;

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * Replaces the page's `<main>` with the one of the result page. Returns
 * false when the answer is not a page of this site.
 */
function showResultPage(html: string): boolean {
  const next = new DOMParser().parseFromString(html, "text/html");
  const incoming = next.getElementById("main");
  const current = document.getElementById("main");
  if (!incoming || !current) return false;
  current.replaceWith(document.importNode(incoming, true));
  document.title = next.title;
  globalThis.scrollTo(0, 0);
  document.getElementById("main")?.focus();
  return true;
}

/**
 * The upload form island.
 *
 * @example
 * ```tsx ignore
 * <UploadForm action="/verify" csrfToken={token} lang="ja" maxBytes={20971520} text={text} />
 * ```
 */
export default function UploadForm(props: UploadFormProps) {
  const { text } = props;
  const input = useRef<HTMLInputElement>(null);
  const [enhanced, setEnhanced] = useState(false);
  const [file, setFile] = useState<{ name: string; size: number } | null>(
    null,
  );
  const [dragging, setDragging] = useState(false);
  const [phase, setPhase] = useState<"idle" | "uploading" | "verifying">(
    "idle",
  );
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState("");

  useEffect(() => setEnhanced(true), []);

  function check(f: File | undefined): boolean {
    if (!f) {
      setFile(null);
      return false;
    }
    setFile({ name: f.name, size: f.size });
    if (f.size > props.maxBytes) {
      setError(text.tooLarge);
      return false;
    }
    if (
      f.name && !EXTENSIONS.test(f.name) && f.type && !ACCEPT.includes(f.type)
    ) {
      setError(text.wrongType);
      return false;
    }
    setError("");
    return true;
  }

  function onDrop(e: TargetedDragEvent<HTMLElement>) {
    e.preventDefault();
    setDragging(false);
    const files = e.dataTransfer?.files;
    if (files && files.length > 0 && input.current) {
      input.current.files = files;
      check(files[0]);
    }
  }

  function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (phase !== "idle") return;
    const f = input.current?.files?.[0];
    if (!check(f)) {
      if (!f) input.current?.focus();
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", props.action);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable) {
        setProgress(Math.round((ev.loaded / ev.total) * 100));
      }
    };
    xhr.upload.onload = () => setPhase("verifying");
    xhr.onload = () => {
      if (!showResultPage(xhr.responseText)) {
        setPhase("idle");
        setError(text.failed);
      }
    };
    xhr.onerror = () => {
      setPhase("idle");
      setError(text.failed);
    };
    setProgress(0);
    setPhase("uploading");
    xhr.send(new FormData(e.currentTarget));
  }

  const busy = phase !== "idle";
  return (
    <form
      class={`upload${enhanced ? " upload--enhanced" : ""}`}
      method="post"
      action={props.action}
      encType="multipart/form-data"
      onSubmit={onSubmit}
      aria-busy={busy ? "true" : "false"}
    >
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <input type="hidden" name="lang" value={props.lang} />
      <label class="field-label" for="scan">
        {text.label} <span class="badge-required">{text.required}</span>
      </label>
      <p class="field-hint" id="scan-hint">{text.hint}</p>
      <div
        class={`dropzone${dragging ? " dropzone--active" : ""}${
          error ? " dropzone--error" : ""
        }`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <svg
          class="dropzone-icon"
          width="40"
          height="40"
          viewBox="0 0 24 24"
          aria-hidden="true"
        >
          <path
            d="M11 16V7.8l-3.3 3.3-1.4-1.4L12 4l5.7 5.7-1.4 1.4L13 7.8V16h-2Zm-7 4v-5h2v3h12v-3h2v5H4Z"
            fill="currentColor"
          />
        </svg>
        <p class="dropzone-text">{text.dropHere}</p>
        <p class="dropzone-or">{text.or}</p>
        <span
          class="button button--secondary dropzone-button"
          aria-hidden="true"
        >
          {text.choose}
        </span>
        <input
          ref={input}
          class="file-input"
          id="scan"
          type="file"
          name="scan"
          accept={ACCEPT}
          required
          aria-describedby="scan-hint scan-status"
          disabled={busy}
          onChange={(e) => check(e.currentTarget.files?.[0])}
        />
      </div>
      <div id="scan-status" class="upload-status" aria-live="polite">
        {file && (
          <p class="chosen">
            {text.chosen}: <strong>{file.name}</strong>{" "}
            ({formatSize(file.size)})
          </p>
        )}
        {error && <p class="error-text" role="alert">{error}</p>}
        {phase === "uploading" && (
          <p class="progress-line">
            <span>{text.uploading} {progress}%</span>
            <progress max={100} value={progress} />
          </p>
        )}
        {phase === "verifying" && (
          <p class="progress-line">
            <span>{text.verifying}</span>
            <progress />
          </p>
        )}
      </div>
      <button class="button button--primary" type="submit" disabled={busy}>
        {text.submit}
      </button>
    </form>
  );
}
