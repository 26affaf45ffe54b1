import assert from "node:assert/strict";
import {
  formatJapaneseDate,
  formatJapaneseDateTime,
  parseIsoDate,
  toEraDate,
  toFullWidthDigits,
  toJapanDateTime,
} from "./era.ts";

Deno.test("formatJapaneseDate() writes the first year of each era as 元年", () => {
  assert.equal(formatJapaneseDate("2019-05-01"), "令和元年5月1日");
  assert.equal(formatJapaneseDate("1989-01-08"), "平成元年1月8日");
  assert.equal(formatJapaneseDate("1926-12-25"), "昭和元年12月25日");
  assert.equal(formatJapaneseDate("1912-07-30"), "大正元年7月30日");
  assert.equal(formatJapaneseDate("1868-10-23"), "明治元年10月23日");
  assert.equal(formatJapaneseDate("2019-12-31"), "令和元年12月31日");
  assert.equal(formatJapaneseDate("2020-01-01"), "令和2年1月1日");
});

Deno.test("formatJapaneseDate() switches era exactly on the first day", () => {
  assert.equal(formatJapaneseDate("2019-04-30"), "平成31年4月30日");
  assert.equal(formatJapaneseDate("1989-01-07"), "昭和64年1月7日");
  assert.equal(formatJapaneseDate("1926-12-24"), "大正15年12月24日");
  assert.equal(formatJapaneseDate("1912-07-29"), "明治45年7月29日");
});

Deno.test("formatJapaneseDate() formats ordinary dates, optionally with full-width digits", () => {
  assert.equal(formatJapaneseDate("2026-11-26"), "令和8年11月26日");
  assert.equal(formatJapaneseDate("1975-04-12"), "昭和50年4月12日");
  assert.equal(
    formatJapaneseDate("2026-11-26", { fullWidth: true }),
    "令和８年１１月２６日",
  );
  assert.equal(
    formatJapaneseDate("2019-05-01", { fullWidth: true }),
    "令和元年５月１日",
  );
});

Deno.test("toEraDate() refuses dates before 明治 and invalid dates", () => {
  assert.throws(() => toEraDate("1868-10-22"), RangeError);
  assert.throws(() => toEraDate("2023-02-29"), RangeError);
  assert.throws(() => toEraDate("2023-2-1"), TypeError);
  assert.throws(() => parseIsoDate("20230201"), TypeError);
  assert.deepEqual(toEraDate("2024-02-29"), {
    era: "令和",
    eraYear: 6,
    year: 2024,
    month: 2,
    day: 29,
  });
});

Deno.test("toJapanDateTime() converts other offsets to Japan time", () => {
  assert.deepEqual(toJapanDateTime("2026-11-26T10:15:00+09:00"), {
    date: "2026-11-26",
    hour: 10,
    minute: 15,
  });
  assert.deepEqual(toJapanDateTime("2019-04-30T15:30:00Z"), {
    date: "2019-05-01",
    hour: 0,
    minute: 30,
  });
  assert.throws(() => toJapanDateTime("2026-11-26 10:15"), TypeError);
});

Deno.test("formatJapaneseDateTime() prints era date and time in Japan", () => {
  assert.equal(
    formatJapaneseDateTime("2026-11-26T10:05:00+09:00"),
    "令和8年11月26日 10時05分",
  );
  assert.equal(
    formatJapaneseDateTime("2019-04-30T15:00:00Z"),
    "令和元年5月1日 0時00分",
  );
  assert.equal(toFullWidthDigits("A1-9"), "A１-９");
});
