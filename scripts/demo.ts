/**
 * Demo data for `npx -y deno@2.9.6 task start`: on first run, a few hundred residents of
 * 北九州市 (401005) in the registry, the ASP's initial load carried on an
 * encrypted media file, and demo cards (PIN 1234) for kiosk runs.
 *
 * @module
 */
import { bindingKeysFromEnv } from "../lib/card/identity_binding.ts";
import { sql } from "drizzle-orm";
import { type Database, rowsOf } from "../lib/db/database.ts";
import { readMediaKeyFiles, registryMediaKeys } from "../lib/media/keys.ts";
import { aspMediaKeys } from "../lib/media/keys.ts";
import { importMedia } from "../lib/media/import.ts";
import { exportMedia } from "../services/registry/media_export.ts";
import type { Tenancy } from "../services/asp/tenancy.ts";
import { aspMediaTarget } from "../services/asp/media_target.ts";
import { issueCardFile } from "./card_issue.ts";
import { shellArg, taskCommand } from "../lib/service/commands.ts";
import { kioskId } from "../lib/tls/pki.ts";

/** Seeds the demo municipality when the registry is empty. */
export async function seedDemo(
  database: Database,
  residents = 300,
): Promise<void> {
  const [{ n }] = rowsOf<{ n: number }>(
    await database.db.execute(sql`select count(*)::int as n from residents`),
  );
  if (Number(n) > 0) return;
  const { seedRegistry } = await import("../services/registry/seed/mod.ts");
  for (const [code, name] of [["401005", "北九州市"], ["401307", "福岡市"]]) {
    await seedRegistry(database, {
      municipalityCode: code,
      residents,
      seed: 1,
    });
    console.log(
      `registry: seeded ${residents} demo residents for ${code} (${name})`,
    );
  }
}

/**
 * The ASP's initial load on first run: the registry exports an encrypted,
 * signed media file, the ASP verifies and loads it, then destroys the file.
 */
export async function initialLoad(
  opts: {
    registry: Database;
    asp: Tenancy;
    certsDir: string;
    municipalityCode: string;
  },
): Promise<void> {
  const tenant = await opts.asp.get(opts.municipalityCode);
  if (tenant.snapshotSeq !== null) return;
  const files = await readMediaKeyFiles(opts.certsDir);
  const { signer, aspPublicKey } = await registryMediaKeys(files);
  const out = await Deno.makeTempFile({
    prefix: "konbini-media-",
    suffix: ".knb",
  });
  await exportMedia(opts.registry.db, {
    municipalityCode: opts.municipalityCode,
    out,
    signer,
    recipientPublicKey: aspPublicKey,
  });
  const keys = await aspMediaKeys(files);
  const { loader, audit } = aspMediaTarget(opts.asp, {
    actor: "demo-initial-load",
  });
  await importMedia(out, { ...keys, loader, audit });
  console.log(
    `asp: initial load of ${opts.municipalityCode} verified, loaded and the media file destroyed`,
  );
}

/** A demo card on disk. */
export interface DemoCard {
  /** Absolute path of the card file (so a printed command works anywhere). */
  file: string;
  /** The card holder's resident id. */
  residentId: string;
  label: string;
}

/**
 * Issues demo cards (PIN 1234) for two adult residents on first run, as
 * 北九州市's window does: over mutual TLS (`fetch` holds the window's
 * certificate, city-401005) to the center and the registry.
 */
export async function demoCards(
  opts: {
    registry: Database;
    registryUrl: string;
    centerUrl: string;
    /** The window's mutual-TLS client. */
    fetch: typeof fetch;
    dir?: string;
  },
): Promise<DemoCard[]> {
  const dir = opts.dir ?? `${Deno.env.get("DATA_DIR") ?? "./data"}/cards`;
  await Deno.mkdir(dir, { recursive: true });
  const existing: DemoCard[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.endsWith(".card.json")) {
      const residentId = e.name.replace(".card.json", "");
      existing.push({
        file: await Deno.realPath(`${dir}/${e.name}`),
        residentId,
        label: `resident ${residentId}`,
      });
    }
  }
  if (existing.length) {
    return existing.sort((a, b) => a.residentId.localeCompare(b.residentId));
  }
  const rows = rowsOf<{ id: string; household_id: string }>(
    await opts.registry.db.execute(sql`
      select r.id, r.household_id from residents r
      where r.municipality_code = '401005' and r.status = 'active' and r.birth_date < '1990-01-01'
        and r.relationship = '世帯主' and r.became_resident_date < '2026-01-01'
        and not exists (select 1 from issuance_blocks b where b.resident_id = r.id and b.lifted_at is null)
        and (select count(*) from residents m where m.household_id = r.household_id) between 2 and 4
      order by r.id limit 2`),
  );
  const cards: DemoCard[] = [];
  for (const r of rows) {
    const file = `${dir}/${r.id}.card.json`;
    await issueCardFile({
      municipalityCode: "401005",
      residentId: r.id,
      out: file,
      pin: "1234",
      centerUrl: opts.centerUrl,
      registryUrl: opts.registryUrl,
      // The municipality's window (its certificate): the center has no
      // registry credential.
      bindingKey: bindingKeysFromEnv(Deno.env)("401005")!,
      fetch: opts.fetch,
    });
    cards.push({
      file: await Deno.realPath(file),
      residentId: r.id,
      label: `resident ${r.id}`,
    });
  }
  return cards;
}

/** The PDF the start banner's kiosk command for `card` writes: one per card. */
export function kioskPdf(card: DemoCard): string {
  return `kiosk-${card.residentId}-juminhyo.pdf`;
}

/** Where the start banner's kiosk commands reach the center. */
export interface KioskTarget {
  /** The center's URL (https, mutual TLS). */
  centerUrl: string;
  /** Absolute path of the certificates folder (`npx -y deno@2.9.6 task certs`). */
  certsDir: string;
  /** Absolute path of the center's public key list the kiosk is provisioned with. */
  keysFile: string;
}

/**
 * The start banner's kiosk commands, one per demo card, runnable as printed
 * from any directory (the card and certificate paths are absolute; each
 * command writes its own PDF in the directory it is run from), and where to
 * upload the result. Each command is a registered terminal (kiosk-0001,
 * kiosk-0002, … in turn) talking to the center over mutual TLS with its own
 * certificate; the center records that terminal id in its ledger.
 *
 * @example
 * ```ts
 * kioskTryout([{ file: "/p/data/cards/401005-1.card.json", residentId: "401005-1", label: "resident 401005-1" }],
 *  "http://127.0.0.1:8104", { centerUrl: "https://localhost:8103", certsDir: "/p/certs",
 *   keysFile: "/p/data/jlis/keys/jlis-keys.json" });
 * ```
 */
export function kioskTryout(
  cards: DemoCard[],
  portalUrl: string,
  target: KioskTarget,
): string {
  const commands = cards.map((c, i) =>
    `  ${
      taskCommand(
        "kiosk",
        `--card ${
          shellArg(c.file)
        } --pin 1234 --type juminhyo --members all --with honseki,zokugara --out ${
          kioskPdf(c)
        } --center ${shellArg(target.centerUrl)} --kiosk-id ${
          kioskId(i % 2 + 1)
        } --certs ${shellArg(target.certsDir)} --keys ${
          shellArg(target.keysFile)
        }`,
      )
    }   # ${c.label}`
  );
  return [
    "Try a kiosk run (PIN 1234) from a registered terminal (its certificate, mutual TLS;",
    "the center's signing keys from its provisioning file, --keys);",
    "each writes its PDF in the directory you run it from:",
    ...commands,
    `Then upload a printed PDF (${
      cards.map(kioskPdf).join(", ")
    }, or a scan of its back side) at ${portalUrl}.`,
  ].join("\n");
}
