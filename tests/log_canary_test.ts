/**
 * No personal data in logs, even when a database write fails: a canary
 * resident is written while the database refuses the write — with an error
 * message that itself quotes the row — and no field of the canary appears in
 * any line the service logs, nor in the answer.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { createLogger } from "../lib/service/logger.ts";
import {
  json,
  makePerson,
  openTestRegistry,
} from "./support/registry_world.ts";

const CANARY = {
  name: "鳥海　縞子",
  nameKana: "トリウミ　シマコ",
  birthDate: "1961-07-23",
  sex: "female",
  honseki: "北海道札幌市中央区北一条西七丁目九十九番",
  hittousha: "鳥海　縞蔵",
  residentCode: "98765432109",
};
const ADDRESS = "福岡県北九州市門司区白野江九丁目８８番";
const KATAGAKI = "カナリアハイツ９０９号";

/** Every value of the canary that must never reach a log line. */
const FIELDS = [
  ...Object.values(CANARY).filter((v) => v !== "female"),
  ADDRESS,
  KATAGAKI,
  "鳥海",
  "縞子",
  "トリウミ",
];

function leaks(lines: string[]): string[] {
  return lines.flatMap((l) => FIELDS.filter((f) => l.includes(f)));
}

function capture(service: string) {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({
      service,
      level: "debug",
      write: (l) => lines.push(l),
    }),
  };
}

Deno.test("logs: a registry write that the database refuses logs no field of the resident", async () => {
  const log = capture("registry");
  const reg = await openTestRegistry(["401005"], { logger: log.logger });
  try {
    await reg.database.db.execute(sql.raw(`
      CREATE FUNCTION refuse_canary() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'injected failure writing % (%) at %', NEW.name, NEW.birth_date, NEW.address;
      END $$`));
    await reg.database.db.execute(sql.raw(`
      CREATE TRIGGER refuse_canary BEFORE INSERT ON residents
        FOR EACH ROW EXECUTE FUNCTION refuse_canary()`));
    const res = await reg.call("POST", "/municipalities/401005/events", {
      body: {
        type: "tennyu",
        date: "2026-11-20",
        person: makePerson(CANARY),
        previousAddress: "東京都千代田区千代田１番１号",
        address: ADDRESS,
        katagaki: KATAGAKI,
      },
    });
    const body = await json<{ code: string }>(res);
    assert.equal(res.status, 500);
    assert.equal(body.code, "INTERNAL");
    assert.deepEqual(leaks([JSON.stringify(body)]), []);
    const errors = log.lines.filter((l) => l.includes('"level":"error"'));
    assert.ok(errors.length >= 1, "the failure is logged");
    assert.ok(
      errors.some((l) => /"sqlstate":"P0001"/.test(l)),
      "with the database's error code",
    );
    assert.deepEqual(leaks(log.lines), []);
  } finally {
    await reg.close();
  }
});
