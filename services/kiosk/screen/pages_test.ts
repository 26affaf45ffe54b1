import assert from "node:assert/strict";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import type { HouseholdFormat } from "../../../lib/contracts/form_profile.ts";
import { ConfirmScreen } from "./pages.tsx";
import type { ScreenSession } from "./sessions.ts";

const HOUSEHOLD = [
  { residentId: "r-1", name: "門司　一郎", relationship: "世帯主" },
  { residentId: "r-2", name: "門司　花子", relationship: "妻" },
  { residentId: "r-3", name: "門司　太郎", relationship: "子" },
];

/** The confirm screen's fee cell for a 住民票 of `members`, `copies` 部, 300円 a copy. */
function feeCell(
  over: Partial<ScreenSession> & { householdFormat?: HouseholdFormat },
): string {
  const session: ScreenSession = {
    id: "s",
    card: "c.card.json",
    household: HOUSEHOLD,
    type: "juminhyo",
    members: "all",
    options: { honseki: false, zokugara: false, myNumber: false },
    copies: 3,
    fees: { juminhyo: 300 },
    simulate: { jam: false, leaveCard: false, leavePaper: false },
    busy: false,
    expiresAt: 0,
    ...over,
  };
  const html = renderToString(h(ConfirmScreen, { sid: "s", session }));
  return /<dd class="fee" id="fee"[^]*?<\/dd>/.exec(html)![0];
}

Deno.test("ConfirmScreen quotes 個票式 as persons × fee × copies, 世帯連記式 as fee × copies", () => {
  const kohyo = feeCell({ householdFormat: "kohyo" });
  assert.match(kohyo, /1通 300円 × 3人 × 部数（3部）= 合計 2,700円/);
  assert.match(kohyo, /お一人ごとに1通（3人で3通）/);
  const renki = feeCell({ householdFormat: "renki" });
  assert.match(renki, /1通 300円 × 部数（3部）= 合計 900円/);
  assert.match(renki, /選んだ3人で1通/);
  // Two of the three ticked: two certificates a copy in 個票式.
  assert.match(
    feeCell({ householdFormat: "kohyo", members: ["r-1", "r-3"] }),
    /× 2人 × 部数（3部）= 合計 1,800円/,
  );
});

Deno.test("ConfirmScreen: one person is one certificate whatever the format; several with the format unknown keep the generic note", () => {
  for (const householdFormat of ["kohyo", "renki", undefined] as const) {
    const one = feeCell({ householdFormat, members: "self" });
    assert.match(one, /1通 300円 × 部数（3部 900円）/);
    assert.doesNotMatch(one, /fee-per-person/);
  }
  const unknown = feeCell({});
  assert.match(unknown, /data-basis="unknown"/);
  assert.match(unknown, /1通 300円 × 部数（3部 900円）/);
  assert.match(unknown, /個票式の市区町村では、お一人ごとに1通/);
  // The household not read: how many people is unknown too.
  assert.match(feeCell({ household: undefined }), /data-basis="unknown"/);
});
