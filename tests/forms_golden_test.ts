/**
 * Golden images of the fronts, one set per template version: each frozen
 * version must keep rendering exactly as it was printed (the portal draws a
 * decoded sheet with the version its back side names). PNG at 100 dpi,
 * compared with a small tolerance (a few anti-aliasing differences).
 *
 * Regenerate deliberately, then look at every changed image:
 * `UPDATE_GOLDEN=1 npx -y deno@2.9.6 test -A tests/forms_golden_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  makeForeignSubject,
  makeFormerSurnameSubject,
  makeGaijiSubject,
  makeInkanSheet,
  makeKisaiSheet,
  makeRenkiDocument,
  makeSheet,
  PUA_GAIJI,
} from "./fixtures/certificate.ts";
import {
  type SheetContent,
  TEMPLATE_VERSIONS,
  type TemplateVersion,
} from "../lib/certificate/model.ts";
import { KISAI_ITEMS } from "../lib/contracts/form_profile.ts";
import { KISAI_FIRST_TEMPLATE_VERSION } from "../lib/render/forms/kisai.ts";
import { createRenderContext } from "../lib/render/context.ts";
import { renderSheetPng } from "../lib/render/png.ts";
import { decodePng } from "../lib/render/png_codec.ts";
import { encodeGaijiSet } from "../lib/render/gaiji.ts";
import { prepareSealImage } from "../services/registry/seal_image.ts";
import { makeScannedSealPng } from "./fixtures/seal_images.ts";

const context = createRenderContext();

/** A registered 外字's outline (a framed box with a bar, 1000 em). */
const GAIJI_OUTLINE =
  "M100 80H900V920H100ZM200 180V820H800V180ZM250 470H750V530H250Z";
/** An ordinary 30 KB scanned seal, prepared as the registry prepares it. */
const SCANNED_SEAL = await prepareSealImage(makeScannedSealPng());
const DIR = new URL("./fixtures/golden/", import.meta.url);
/** 100 dpi on A4. */
const WIDTH_PX = Math.round(210 / 25.4 * 100);
/** A pixel differs when a channel moves by more than this. */
const CHANNEL_TOLERANCE = 64;
/**
 * At most this many differing pixels per image (one changed digit of a date
 * moves about 50).
 */
const MAX_DIFFERING = 10;

const ALL_ON = { honseki: true, zokugara: true, myNumber: true };
const CASES: Record<string, (v: TemplateVersion) => SheetContent> = {
  juminhyo_foreign: (templateVersion) =>
    makeSheet({
      templateVersion,
      subject: makeForeignSubject(),
      options: ALL_ON,
    }),
  juminhyo_household: (templateVersion) =>
    makeSheet({ templateVersion, options: ALL_ON, page: 2, pages: 3 }),
  inkan: (templateVersion) => makeInkanSheet({ templateVersion }),
};

/** From template version 3 a sheet carries a number of j1040's form. */
function numbered(sheet: SheetContent): SheetContent {
  return sheet.templateVersion < 3
    ? sheet
    : { ...sheet, issueNumber: "20261126-401005-kiosk-0001-01-0000123" };
}

/**
 * Cases from the template version that introduced them: the
 * 記載事項証明書 with the default profile's items, with every item, and a
 * foreign resident's (氏名 with the alphabetic name, Western birth date);
 * the form profile's variants (the sheet's `form` says what the profile
 * made it print).
 */
const LATER_CASES: Record<
  string,
  { from: TemplateVersion; make: (v: TemplateVersion) => SheetContent }
> = {
  kisai_default: {
    from: KISAI_FIRST_TEMPLATE_VERSION,
    make: (templateVersion) => makeKisaiSheet({ templateVersion }),
  },
  kisai_all_items: {
    from: KISAI_FIRST_TEMPLATE_VERSION,
    make: (templateVersion) =>
      makeKisaiSheet({ templateVersion, items: [...KISAI_ITEMS] }),
  },
  kisai_foreign: {
    from: KISAI_FIRST_TEMPLATE_VERSION,
    make: (templateVersion) =>
      makeKisaiSheet({
        templateVersion,
        subject: makeForeignSubject(),
        items: ["name", "birthDate", "address"],
      }),
  },
  // The legal 氏名の振り仮名 (令和5年法律第48号): the surname's recorded, the
  // given name's not (the municipality's mask), and the 旧氏's reading.
  juminhyo_legal_furigana: {
    from: 3,
    make: (templateVersion) =>
      makeSheet({
        templateVersion,
        subject: makeFormerSurnameSubject({
          nameKana: "ヤマダ　********",
          formerSurnameKana: "サトウ",
        }),
        options: ALL_ON,
      }),
  },
  // A name with a registered 外字 (its outline drawn) and an IVS.
  juminhyo_registered_gaiji: {
    from: 3,
    make: (templateVersion) => ({
      ...makeSheet({ templateVersion, subject: makeGaijiSubject() }),
      gaiji: encodeGaijiSet(
        new Map([[PUA_GAIJI.codePointAt(0)!, GAIJI_OUTLINE]]),
      ),
    }),
  },
  // A 30 KB scanned seal: the print version on the front, sharp.
  inkan_scanned_seal: {
    from: 3,
    make: (templateVersion) =>
      makeInkanSheet({
        templateVersion,
        seal: {
          registrationNumber: "12345",
          registeredDate: "2016-01-20",
          png: SCANNED_SEAL.compactPng,
          printPng: SCANNED_SEAL.printPng,
        },
      }),
  },
  juminhyo_title_juminhyo: {
    from: 3,
    make: (templateVersion) =>
      makeSheet({ templateVersion, form: { juminhyoTitle: "住民票" } }),
  },
  inkan_without_sex: {
    from: 3,
    make: (templateVersion) =>
      makeInkanSheet({ templateVersion, form: { inkanPrintsSex: false } }),
  },
  inkan_former_surname_alias: {
    from: 3,
    make: (templateVersion) =>
      makeInkanSheet({
        templateVersion,
        form: { inkanPrintsSex: true },
        subject: {
          ...makeForeignSubject(),
          formerSurname: "佐藤",
          formerSurnameKana: "さとう",
        },
      }),
  },
};

/** Every case a template version renders. */
function casesOf(
  v: TemplateVersion,
): [string, (v: TemplateVersion) => SheetContent][] {
  return [
    ...Object.entries(CASES),
    ...Object.entries(LATER_CASES).filter(([, c]) => v >= c.from).map((
      [name, c],
    ) => [name, c.make] as [string, (v: TemplateVersion) => SheetContent]),
  ];
}

function differing(a: Uint8Array, b: Uint8Array): number {
  const x = decodePng(a), y = decodePng(b);
  assert.deepEqual([x.width, x.height, x.channels], [
    y.width,
    y.height,
    y.channels,
  ]);
  let n = 0;
  for (let p = 0; p < x.data.length; p += x.channels) {
    for (let c = 0; c < x.channels; c++) {
      if (Math.abs(x.data[p + c] - y.data[p + c]) > CHANNEL_TOLERANCE) {
        n++;
        break;
      }
    }
  }
  return n;
}

/**
 * Cases of one version only: a 世帯連記式 household of six (version 3 on),
 * pages 1 and 2 — four members, then two and the whole-household 認証文.
 */
const RENKI = makeRenkiDocument();
const VERSION_CASES: Record<string, [TemplateVersion, SheetContent]> = {
  juminhyo_renki_six_p1: [3, RENKI.sheets[0]],
  juminhyo_renki_six_p2: [3, RENKI.sheets[1]],
};

const ALL_CASES: [TemplateVersion, string, () => SheetContent][] = [
  ...TEMPLATE_VERSIONS.flatMap((v) =>
    casesOf(v).map(([name, make]): [
      TemplateVersion,
      string,
      () => SheetContent,
    ] => [v, name, () => make(v)])
  ),
  ...Object.entries(VERSION_CASES).map((
    [name, [v, sheet]],
  ): [TemplateVersion, string, () => SheetContent] => [v, name, () => sheet]),
];

for (const [v, name, make] of ALL_CASES) {
  Deno.test(`golden image: template version ${v}, ${name}`, () => {
    const file = new URL(`v${v}_${name}.png`, DIR);
    const png = renderSheetPng(numbered(make()), {
      widthPx: WIDTH_PX,
      context,
    });
    if (Deno.env.get("UPDATE_GOLDEN") === "1") {
      Deno.writeFileSync(file, png);
      return;
    }
    const golden = Deno.readFileSync(file);
    const n = differing(png, golden);
    if (n > MAX_DIFFERING) {
      const out = Deno.makeTempFileSync({ suffix: `_v${v}_${name}.png` });
      Deno.writeFileSync(out, png);
      assert.fail(
        `${n} pixels differ from ${file.pathname} (rendered: ${out})`,
      );
    }
  });
}

Deno.test("golden images: a changed form is noticed (version 1 is not version 2, one digit of a date counts)", () => {
  const v1 = Deno.readFileSync(new URL("v1_juminhyo_foreign.png", DIR));
  const v2 = Deno.readFileSync(new URL("v2_juminhyo_foreign.png", DIR));
  assert.ok(differing(v1, v2) > MAX_DIFFERING);
  const f = makeForeignSubject();
  const oneDayEarlier = makeSheet({
    templateVersion: 2,
    subject: { ...f, foreign: { ...f.foreign!, expiryDate: "2027-03-30" } },
    options: ALL_ON,
  });
  const png = renderSheetPng(oneDayEarlier, { widthPx: WIDTH_PX, context });
  assert.ok(differing(png, v2) > MAX_DIFFERING);
});
