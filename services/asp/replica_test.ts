import assert from "node:assert/strict";
import { getTableColumns } from "drizzle-orm";
import {
  cardLinks,
  households,
  issuanceBlocks,
  residents,
  sealRegistrations,
} from "../../db/registry/schema.ts";
import {
  BLOCK_FIELDS,
  BLOCK_NOT_COPIED,
  CARD_FIELDS,
  CARD_NOT_COPIED,
  HOUSEHOLD_FIELDS,
  HOUSEHOLD_NOT_COPIED,
  normalizeInstant,
  projectResident,
  ReplicaDataError,
  RESIDENT_CLEAR,
  RESIDENT_ENCRYPTED,
  RESIDENT_NOT_COPIED,
  SEAL_FIELDS,
  SEAL_NOT_COPIED,
} from "./replica.ts";

const sorted = (xs: readonly string[]) => [...xs].sort();

Deno.test("replica: every field the registry holds is classified (kept clear, kept encrypted, or not copied)", () => {
  // A field the registry adds makes this fail until it is classified: nothing is dropped silently.
  assert.deepEqual(
    sorted(Object.keys(getTableColumns(residents))),
    sorted([...RESIDENT_CLEAR, ...RESIDENT_ENCRYPTED, ...RESIDENT_NOT_COPIED]),
  );
  assert.deepEqual(
    sorted(Object.keys(getTableColumns(households))),
    sorted([...HOUSEHOLD_FIELDS, ...HOUSEHOLD_NOT_COPIED]),
  );
  assert.deepEqual(
    sorted(Object.keys(getTableColumns(sealRegistrations))),
    sorted([...SEAL_FIELDS, ...SEAL_NOT_COPIED]),
  );
  assert.deepEqual(
    sorted(Object.keys(getTableColumns(issuanceBlocks))),
    sorted([...BLOCK_FIELDS, ...BLOCK_NOT_COPIED]),
  );
  assert.deepEqual(
    sorted(Object.keys(getTableColumns(cardLinks))),
    sorted([...CARD_FIELDS, ...CARD_NOT_COPIED]),
  );
  // Kiosk certificates never print 住民票コード: it is never copied.
  assert.ok(
    (RESIDENT_NOT_COPIED as readonly string[]).includes("residentCode"),
  );
});

const row = {
  id: "401005-R1",
  municipalityCode: "401005",
  historyNo: 1,
  status: "active",
  name: "山田　太郎",
  nameKana: "ヤマダ　タロウ",
  birthDate: "1980-04-01",
  sex: "male",
  householdId: "401005-H1",
  relationship: "世帯主",
  becameResidentDate: "2020-01-01",
  addressSetDate: "2020-01-01",
  notifiedDate: "2020-01-01",
  address: "福岡県北九州市",
  myNumber: "123456789012",
  updatedSeq: 3,
};

Deno.test("replica: 個人番号 is kept only under a policy that prints it", () => {
  assert.equal(
    projectResident(row, { code: "401005", printMyNumber: false }).myNumber,
    null,
  );
  assert.equal(
    projectResident(row, { code: "401005", printMyNumber: true }).myNumber,
    "123456789012",
  );
});

Deno.test("replica: rows of another municipality, unknown fields and bad values are refused", () => {
  const p = { code: "401005", printMyNumber: false };
  assert.throws(
    () => projectResident({ ...row, municipalityCode: "401307" }, p),
    ReplicaDataError,
  );
  assert.throws(
    () => projectResident({ ...row, shoeSize: 27 }, p),
    /unknown field 'shoeSize'/,
  );
  assert.throws(
    () => projectResident({ ...row, name: "" }, p),
    ReplicaDataError,
  );
  assert.throws(
    () => projectResident({ ...row, status: "zombie" }, p),
    ReplicaDataError,
  );
});

Deno.test("replica: instants in JS and PostgreSQL text form normalise to the same ISO string", () => {
  assert.equal(
    normalizeInstant("2026-11-26 01:00:00+00"),
    "2026-11-26T01:00:00.000Z",
  );
  assert.equal(
    normalizeInstant("2026-11-26 10:00:00.5+09"),
    "2026-11-26T01:00:00.500Z",
  );
  assert.equal(
    normalizeInstant("2026-11-26T01:00:00.000Z"),
    "2026-11-26T01:00:00.000Z",
  );
  assert.equal(normalizeInstant(null), null);
});

Deno.test("replica: the legal furigana is kept with its status; rows from before it carry none; a status that contradicts its reading is refused", () => {
  const p = { code: "401005", printMyNumber: false };
  const recorded = projectResident({
    ...row,
    furiganaSurname: "ヤマダ",
    furiganaSurnameStatus: "ex_officio",
    furiganaGivenName: null,
    furiganaGivenNameStatus: "unrecorded",
    formerSurnameFurigana: null,
  }, p);
  assert.deepEqual(
    [
      recorded.furiganaSurname,
      recorded.furiganaSurnameStatus,
      recorded.furiganaGivenName,
      recorded.furiganaGivenNameStatus,
    ],
    ["ヤマダ", "ex_officio", null, "unrecorded"],
  );
  assert.ok(
    (RESIDENT_ENCRYPTED as readonly string[]).includes("furiganaSurname"),
    "personal: encrypted",
  );
  // An event of a registry from before the legal furigana: none recorded.
  const old = projectResident(row, p);
  assert.deepEqual(
    [old.furiganaSurname, old.furiganaSurnameStatus, old.formerSurnameFurigana],
    [null, "unrecorded", null],
  );
  assert.throws(
    () =>
      projectResident({
        ...row,
        furiganaSurname: "ヤマダ",
        furiganaSurnameStatus: "unrecorded",
      }, p),
    /furiganaSurnameStatus/,
  );
  assert.throws(
    () => projectResident({ ...row, furiganaGivenNameStatus: "guessed" }, p),
    ReplicaDataError,
  );
});
