/**
 * The kiosk simulator (`npx -y deno@2.9.6 task kiosk`; `--help` for usage):
 * reads a card file, takes the PIN, asks the J-LIS center for a certificate, writes what the printer printed
 * (front and back of each sheet) as a PDF, reports the print to the center's
 * ledger and prints a summary. A refusal prints its code and the Japanese
 * message the kiosk shows (exit 1). A sheet the kiosk could not print (its
 * front or back not rendered, or the PDF not written) is voided and refunded
 * like a jammed one: the summary, then the failure's code and message (exit
 * 1).
 *
 * ```
 * npx -y deno@2.9.6 task kiosk --card card.json --pin 1234 --type juminhyo --members all --with honseki,zokugara
 *   [--copies N] [--out FILE.pdf] [--jam | --jam-page N | --jam-copy N] [--leave-card] [--leave-paper] [--alarm-after MS]
 *   [--center URL] [--kiosk-id kiosk-0001] [--certs DIR] [--cert F --key F --ca F] [--keys FILE]
 * ```
 * `--members`: `self` (default), `all`, or resident ids separated by commas.
 * `--with`: any of `honseki`, `zokugara`, `mynumber`. `--copies N`: 部数,
 * 1–10 (default 1), each copy its own document with its own 発行番号 and
 * fee. `--jam`: the last sheet jams; `--jam-page N`: sheet N (in print
 * order over all copies) jams; `--jam-copy N`: copy N jams — the copy a jam
 * hits is voided and refunded, the others are delivered. The summary lists
 * each copy, its fee and refund. Defaults: JLIS_URL or
 * https://localhost:8103.
 *
 * The kiosk is a registered terminal: it talks to the center over mutual
 * TLS with its certificate (`--kiosk-id`, default KIOSK_ID or kiosk-0001:
 * `<certs>/<id>.pem` and `<id>-key.pem`, `--certs` default CERTS_DIR or the
 * project's certs/; or `--cert`/`--key`) and trusts only the CA of its
 * provisioning (`--ca`, default `<certs>/ca.pem`). `--keys`: the center's
 * public key list this kiosk is provisioned with (JLIS_KEYS_FILE, or the
 * file the center's key store exports, `$DATA_DIR/jlis/keys/jlis-keys.json`);
 * the kiosk never fetches it and refuses to run without it.
 *
 * The kiosk's JSON log lines go to stderr (LOG_LEVEL=debug adds one per call
 * to the center); their `correlationId` is the one the center's and the ASP
 * node's lines for this run carry.
 *
 * @module
 */
import { openCard } from "../lib/card/card.ts";
import {
  CERTIFICATE_TYPES,
  isCertificateType,
} from "../lib/certificate/model.ts";
import { createRenderer } from "../lib/render/mod.ts";
import { createLogger } from "../lib/service/logger.ts";
import {
  createKiosk,
  loadProvisionedKeyList,
} from "../services/kiosk/kiosk.ts";
import { callerPath, parseCli, usageError } from "../lib/service/cli.ts";
import { MAX_COPIES } from "../lib/contracts/kiosk_center.ts";
import { peopleOf } from "../lib/certificate/model.ts";
import { mtlsFetch, readTlsIdentity, tlsFiles } from "../lib/tls/mod.ts";

/** The kiosk's command line. */
const KIOSK_CLI = {
  task: "kiosk",
  usage: `--card FILE --pin 1234 [--type ${CERTIFICATE_TYPES.join("|")}]
    [--members self|all|ID,ID] [--with honseki,zokugara,mynumber] [--copies 1-10]
    [--out FILE.pdf] [--jam | --jam-page N | --jam-copy N] [--leave-card] [--leave-paper]
    [--alarm-after MS]
    [--center URL] [--kiosk-id ID] [--certs DIR] [--cert F --key F --ca F] [--keys FILE]`,
  description:
    "Asks the J-LIS center for a certificate with the card and PIN, writes the printed\n" +
    "sheets (front and back) to --out (default ./kiosk-<time>.pdf) and reports the print.\n" +
    "--copies N (部数, 1-10): each copy its own document (発行番号, fee); a jam voids\n" +
    "the copy it hits (refunded), the other copies are delivered.\n" +
    "Paths are relative to the directory you run the task from.\n" +
    "Defaults: --center $JLIS_URL or https://localhost:8103; mutual TLS with the kiosk's\n" +
    "certificate --kiosk-id ($KIOSK_ID or kiosk-0001) from --certs ($CERTS_DIR or certs/),\n" +
    "trusting only --ca (default <certs>/ca.pem); --keys (the center's provisioned key\n" +
    "list) $JLIS_KEYS_FILE or $DATA_DIR/jlis/keys/jlis-keys.json.",
  options: {
    card: { type: "string" },
    pin: { type: "string" },
    type: { type: "string", default: "juminhyo" },
    members: { type: "string", default: "self" },
    with: { type: "string", default: "" },
    copies: { type: "string", default: "1" },
    "jam-copy": { type: "string" },
    out: { type: "string" },
    jam: { type: "boolean", default: false },
    "jam-page": { type: "string" },
    "leave-card": { type: "boolean", default: false },
    "leave-paper": { type: "boolean", default: false },
    "alarm-after": { type: "string", default: "3000" },
    center: { type: "string" },
    "kiosk-id": { type: "string" },
    certs: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    ca: { type: "string" },
    keys: { type: "string" },
  },
  paths: ["card", "out", "certs", "cert", "key", "ca", "keys"],
} as const;

if (import.meta.main) {
  const { values } = parseCli(KIOSK_CLI);
  if (!values.card || !values.pin) {
    usageError(KIOSK_CLI, "--card and --pin are required");
  }
  if (!isCertificateType(values.type)) {
    usageError(
      KIOSK_CLI,
      `--type must be one of ${CERTIFICATE_TYPES.join(", ")}`,
    );
  }
  const wanted = new Set(
    values.with.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean),
  );
  for (const w of wanted) {
    if (!["honseki", "zokugara", "mynumber"].includes(w)) {
      usageError(KIOSK_CLI, `--with: unknown option '${w}'`);
    }
  }
  const copies = Number(values.copies);
  if (!/^\d+$/.test(values.copies) || copies < 1 || copies > MAX_COPIES) {
    usageError(
      KIOSK_CLI,
      `--copies must be a whole number from 1 to ${MAX_COPIES}`,
    );
  }
  const jamCopy = values["jam-copy"] === undefined
    ? null
    : Number(values["jam-copy"]);
  if (
    jamCopy !== null &&
    (!Number.isInteger(jamCopy) || jamCopy < 1 || jamCopy > copies)
  ) {
    usageError(KIOSK_CLI, `--jam-copy must be a copy from 1 to ${copies}`);
  }
  const members = values.members === "self" || values.members === "all"
    ? values.members
    : values.members.split(",").map((s) => s.trim()).filter(Boolean);
  let card;
  try {
    card = await openCard(values.card);
  } catch (err) {
    console.error(
      `Cannot read the card ${values.card}: ${(err as Error).message}`,
    );
    Deno.exit(1);
  }
  const keysFile = values.keys ?? Deno.env.get("JLIS_KEYS_FILE") ??
    `${Deno.env.get("DATA_DIR") ?? "./data"}/jlis/keys/jlis-keys.json`;
  let keyList;
  try {
    keyList = await loadProvisionedKeyList(keysFile);
  } catch (err) {
    console.error((err as Error).message);
    Deno.exit(1);
  }
  const id = values["kiosk-id"] ?? Deno.env.get("KIOSK_ID") ?? "kiosk-0001";
  const files = tlsFiles(
    {
      get: (k) =>
        ({
          CERTS_DIR: values.certs ?? Deno.env.get("CERTS_DIR"),
          KIOSK_TLS_CERT_FILE: values.cert,
          KIOSK_TLS_KEY_FILE: values.key,
          KIOSK_TLS_CA_FILE: values.ca,
        })[k],
    },
    "KIOSK",
    id,
  );
  let toCenter;
  try {
    toCenter = mtlsFetch(await readTlsIdentity(files));
  } catch (err) {
    console.error(`kiosk: ${(err as Error).message}`);
    Deno.exit(1);
  }
  const events: string[] = [];
  const kiosk = createKiosk({
    keyList,
    centerUrl: values.center ?? Deno.env.get("JLIS_URL") ??
      "https://localhost:8103",
    fetch: toCenter,
    renderer: createRenderer,
    logger: createLogger({
      service: "kiosk",
      write: (line) => console.error(line),
    }),
    onEvent: (e) => {
      const line = e.kind === "alarm"
        ? `🔔 ALARM (${e.what} left behind): ${e.message_ja}`
        : `画面: ${e.message_ja}`;
      events.push(line);
      console.log(line);
    },
  });
  const out = values.out ?? callerPath(`kiosk-${Date.now()}.pdf`);
  const jamPage = values.jam
    ? -1 // the last sheet
    : values["jam-page"]
    ? Number(values["jam-page"])
    : null;
  const r = await kiosk.run({
    card,
    pin: values.pin,
    type: values.type,
    members,
    options: {
      honseki: wanted.has("honseki"),
      zokugara: wanted.has("zokugara"),
      myNumber: wanted.has("mynumber"),
    },
    copies,
    jamPage,
    jamCopy,
    pdfPath: out,
    leaveCard: values["leave-card"],
    leavePaper: values["leave-paper"],
    alarmAfterMs: Number(values["alarm-after"]),
  });
  toCenter.close();
  if (!r.ok) {
    console.error(
      `refused (${r.stage}): ${r.code}\n  ${r.message_ja}\n  ${r.message_en}` +
        (r.remainingTries !== undefined
          ? `\n  PIN tries left: ${r.remainingTries}`
          : ""),
    );
    Deno.exit(1);
  }
  const voidedAs = r.printFailure ? "無効（印刷できず）" : "無効（用紙詰まり）";
  let subjects: { page: number; name: string; residentId: string }[];
  try {
    // Every person on the sheet (a 世帯連記式 sheet holds up to four).
    subjects = r.sheets.map((s) => ({
      page: s.page,
      name: peopleOf(s).map((p) => p.name).join("、"),
      residentId: peopleOf(s).map((p) => p.residentId).join(","),
    }));
  } catch {
    // A document the kiosk could not even decode: ids only.
    subjects = r.subjects.map((residentId, i) => ({
      page: i + 1,
      name: "?",
      residentId,
    }));
  }
  const copyLines = r.copies.flatMap((c) => [
    `  ${c.copy}通目 発行番号 ${c.issueNumber}: ${
      c.status === "voided"
        ? `${voidedAs} — refunded ${c.refund} yen`
        : `delivered, ${c.fee} yen`
    }`,
    ...c.pages.map((p) => {
      const s = subjects[p - 1];
      return `    ${s?.page ?? p}. ${s?.name ?? "?"}（${
        s?.residentId ?? "?"
      }）`;
    }),
  ]);
  console.log(
    [
      // 通: each certificate (a copy, or under 個票式 a person of a copy).
      `${r.copies.length}通 (${r.municipalityCode}, request ${r.requestId}), ${r.pages} sheet(s):`,
      ...copyLines,
      `  delivered ${r.delivered.join(",") || "none"}; voided ${
        r.voided.join(",") || "none"
      }`,
      `  fee ${r.fee} yen${r.refund ? ` (refunded ${r.refund} yen)` : ""}`,
      r.pdfPath
        ? `  printed: ${r.pdfPath} (front and back of each delivered sheet)`
        : "  nothing printed",
    ].join("\n"),
  );
  if (r.printFailure) {
    const f = r.printFailure;
    console.error(
      `print failed (${f.reason}, sheet ${f.page}): voided and refunded\n  ${f.message_ja}\n  ${f.message_en}`,
    );
    Deno.exit(1);
  }
}
