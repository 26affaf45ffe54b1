import assert from "node:assert/strict";
import {
  officialMayorLine,
  prefectureOf,
  PREFECTURES,
} from "./official_title.ts";

Deno.test("prefectureOf() reads the prefecture from a local government code's first two digits", () => {
  assert.equal(Object.keys(PREFECTURES).length, 47);
  assert.equal(prefectureOf("011002"), "北海道");
  assert.equal(prefectureOf("131016"), "東京都");
  assert.equal(prefectureOf("401005"), "福岡県");
  assert.equal(prefectureOf("472018"), "沖縄県");
  assert.equal(prefectureOf("482018"), undefined);
  assert.equal(prefectureOf("001234"), undefined);
});

Deno.test("officialMayorLine() puts the prefecture before the title (j1050), also for 政令市 and 特別区", () => {
  assert.equal(
    officialMayorLine({
      code: "401005",
      name: "北九州市",
      mayor: "北九州市長　武内　和久",
    }),
    "福岡県北九州市長　武内　和久",
  );
  assert.equal(
    officialMayorLine({
      code: "131016",
      name: "千代田区",
      mayor: "千代田区長　樋口　高顕",
    }),
    "東京都千代田区長　樋口　高顕",
  );
  // already with the prefecture, a title not starting with the name, an unknown code: as recorded
  for (
    const m of [
      {
        code: "401005",
        name: "北九州市",
        mayor: "福岡県北九州市長　武内　和久",
      },
      { code: "401005", name: "北九州市", mayor: "市長401005" },
      { code: "991234", name: "試験市", mayor: "試験市長　山田　太郎" },
    ]
  ) {
    assert.equal(officialMayorLine(m), m.mayor);
  }
});
