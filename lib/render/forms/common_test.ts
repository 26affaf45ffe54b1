import assert from "node:assert/strict";
import {
  makeForeignSubject,
  makeInkanSheet,
  makeSheet,
} from "../../../tests/fixtures/certificate.ts";
import {
  CURRENT_TEMPLATE_VERSION,
  type SheetContent,
} from "../../certificate/model.ts";
import { createRenderContext } from "../context.ts";
import { segmentsBounds } from "../glyph_path.ts";
import { layoutSheet } from "../layout.ts";
import type { PageLayout, PathOp, TextOp } from "../ops.ts";
import { renderSheetPng } from "../png.ts";
import { decodePng } from "../png_codec.ts";
import { FORM_EDITIONS, SEAL_NOTE, westernDate } from "./common.ts";

const context = createRenderContext();
const layout = (s: SheetContent) => layoutSheet(s, { context });
const MM_PER_PT = 25.4 / 72;

function texts(l: PageLayout): TextOp[] {
  return l.ops.filter((op): op is TextOp => op.kind === "text");
}
function fieldText(l: PageLayout, field: string): string {
  return texts(l).filter((t) => t.field === field).map((t) => t.text).join("");
}
function seal(l: PageLayout): PathOp {
  const op = l.ops.find((op) =>
    op.kind === "path" && op.role === "official-seal"
  );
  assert.ok(op && op.kind === "path", "the 公印 is drawn");
  return op;
}
/** Left and right ends of a text op, mm. */
function extent(op: TextOp): [number, number] {
  const em = context.fonts[op.face].unitsPerEm;
  const w = op.advances.reduce((a, b) => a + b, 0) / em * op.sizePt *
      MM_PER_PT + op.letterSpacing * op.glyphs.length;
  return [op.x, op.x + w];
}

const v1 = { templateVersion: 1 } as const;
const FOREIGN_ALL_ON = {
  subject: makeForeignSubject(),
  options: { honseki: true, zokugara: true, myNumber: true },
};

Deno.test("new sheets are printed with template version 3, and every version stays renderable", () => {
  assert.equal(CURRENT_TEMPLATE_VERSION, 3);
  assert.deepEqual(Object.keys(FORM_EDITIONS), ["1", "2", "3"]);
  for (const templateVersion of [1, 2, 3] as const) {
    assert.equal(
      texts(layout(makeSheet({ templateVersion }))).length > 0,
      true,
    );
    assert.equal(
      texts(layout(makeInkanSheet({ templateVersion }))).length > 0,
      true,
    );
  }
});

Deno.test("j90: a foreign resident's birth date and 在留期間満了日 in the Western calendar only", () => {
  for (
    const l of [
      layout(makeSheet(FOREIGN_ALL_ON)),
      layout(makeInkanSheet({ subject: makeForeignSubject() })),
    ]
  ) {
    const birth = fieldText(l, "birthDate");
    assert.equal(birth, westernDate(makeForeignSubject().birthDate));
    assert.match(birth, /^[０-９]{4}年[０-９]{1,2}月[０-９]{1,2}日$/);
    // never both calendars together
    assert.doesNotMatch(birth, /明治|大正|昭和|平成|令和/);
  }
  const jumin = layout(makeSheet(FOREIGN_ALL_ON));
  assert.equal(fieldText(jumin, "foreign.expiryDate"), "２０２７年３月３１日");
  // the other dates keep the era (j90 names only these two)
  assert.match(fieldText(jumin, "becameResidentDate"), /^(平成|令和)/);
  assert.match(fieldText(jumin, "issueDate"), /^令和/);
});

Deno.test("j90: a Japanese resident keeps the era; version 1 sheets keep the era for everyone", () => {
  const japanese = layout(makeSheet());
  assert.equal(fieldText(japanese, "birthDate"), "昭和５０年４月１２日");
  const old = layout(makeSheet({ ...FOREIGN_ALL_ON, ...v1 }));
  assert.equal(fieldText(old, "foreign.expiryDate"), "令和９年３月３１日");
  assert.match(fieldText(old, "birthDate"), /^(昭和|平成)/);
});

Deno.test("westernDate() prints a date in the Western calendar with full-width digits", () => {
  assert.equal(westernDate("1990-04-01"), "１９９０年４月１日");
  assert.equal(westernDate("2027-03-31"), "２０２７年３月３１日");
  assert.equal(westernDate(undefined), "");
  assert.throws(() => westernDate("2027-02-30"), RangeError);
});

Deno.test("j1050: the 公印 is black, at most 25 mm square, with 「この印は黒色です」", () => {
  for (const sheet of [makeSheet(), makeInkanSheet()]) {
    const l = layout(sheet);
    const op = seal(l);
    assert.deepEqual(op.fill, [0, 0, 0]);
    const [x0, y0, x1, y1] = segmentsBounds(op.segments);
    assert.ok(x1 - x0 <= 25 && y1 - y0 <= 25, `${x1 - x0} × ${y1 - y0} mm`);
    assert.equal(fieldText(l, "sealNote"), SEAL_NOTE);
    const note = texts(l).find((t) => t.field === "sealNote")!;
    assert.ok(note.y > op.y + (y1 - y0), "the note stands under the 公印");
  }
  // version 1 is printed as it was: red, no note
  const old = layout(makeSheet(v1));
  assert.deepEqual(seal(old).fill, FORM_EDITIONS[1].sealFill);
  assert.equal(fieldText(old, "sealNote"), "");
});

Deno.test("j1050: the mayor's title includes the prefecture, also for a 政令市", () => {
  assert.equal(
    fieldText(layout(makeSheet()), "municipality.mayor"),
    "福岡県北九州市長　北橋　健治",
  );
  assert.equal(
    fieldText(
      layout(makeInkanSheet({
        municipality: {
          code: "401307",
          name: "福岡市",
          mayor: "福岡市長　髙島　宗一郎",
        },
      })),
      "municipality.mayor",
    ),
    "福岡県福岡市長　髙島　宗一郎",
  );
  // a record that already names the prefecture is printed as recorded
  assert.equal(
    fieldText(
      layout(
        makeSheet({ municipality: { mayor: "福岡県北九州市長　武内　和久" } }),
      ),
      "municipality.mayor",
    ),
    "福岡県北九州市長　武内　和久",
  );
  // version 1 printed the line as recorded
  assert.equal(
    fieldText(layout(makeSheet(v1)), "municipality.mayor"),
    "北九州市長　北橋　健治",
  );
});

Deno.test("j1050: the 公印 stands beside the mayor's name, never over it", () => {
  for (const sheet of [makeSheet(), makeInkanSheet()]) {
    const l = layout(sheet);
    const op = seal(l);
    const mayor = texts(l).filter((t) => t.field === "municipality.mayor");
    assert.ok(mayor.length > 0);
    for (const t of mayor) {
      const [, right] = extent(t);
      assert.ok(
        right < op.x,
        `the name ends at ${right} mm, the 公印 starts at ${op.x} mm`,
      );
    }
    // on paper: the seal's pixels start right of the name's last character
    const img = decodePng(renderSheetPng(sheet, { widthPx: 827, context }));
    const k = img.width / 210;
    const t = mayor[mayor.length - 1];
    const [, right] = extent(t);
    let sealInk = 0;
    for (let y = Math.round((t.y - 5) * k); y < Math.round(t.y * k); y++) {
      for (let x = Math.round(op.x * k); x < Math.round((op.x + 24) * k); x++) {
        const o = (y * img.width + x) * img.channels;
        if (img.data[o] < 110) sealInk++;
      }
    }
    assert.ok(sealInk > 0, "the 公印 is drawn at the mayor's line");
    assert.ok(right * k < op.x * k - 1);
  }
  // version 1 (as printed then): the 公印 overlapped the name's last character
  const old = layout(makeSheet(v1));
  const last = texts(old).filter((t) => t.field === "municipality.mayor").at(
    -1,
  )!;
  assert.ok(extent(last)[1] > seal(old).x);
});
