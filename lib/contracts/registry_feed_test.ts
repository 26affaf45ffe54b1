import assert from "node:assert/strict";
import {
  feedResponseSchema,
  parseFeedEnvelope,
  parseFeedEvent,
} from "./registry_feed.ts";
import { ContractError } from "./wire.ts";

const overTheWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function event(seq: number) {
  return {
    seq,
    eventId: `ev-${seq}`,
    type: "tennyu",
    effectiveDate: "2026-11-20",
    recordedAt: "2026-11-20T10:00:00+09:00",
    payload: {
      residents: [{ id: "401005-000001", name: "山田　太郎" }],
      deletedResidents: [],
      households: [],
      deletedHouseholds: [],
      seals: [],
      deletedSeals: [],
      blocks: [],
      cardLinks: [],
    },
  };
}

Deno.test("feedResponseSchema round-trips a feed answer; parseFeedEvent() fills absent lists", () => {
  const feed = {
    municipalityCode: "401005",
    head: 2,
    events: [event(1), event(2)],
  };
  assert.deepEqual(feedResponseSchema.parse(overTheWire(feed)), feed);
  const envelope = parseFeedEnvelope(overTheWire(feed));
  assert.deepEqual(envelope.events.map(parseFeedEvent), feed.events);
  const sparse = { ...event(3), payload: { cancelsSeq: 1 } };
  assert.deepEqual(parseFeedEvent(sparse).payload, {
    ...event(3).payload,
    residents: [],
    cancelsSeq: 1,
  });
});

Deno.test("parseFeedEvent() refuses an unknown payload key, a non-list and a missing seq, naming them", () => {
  const withKey = {
    ...event(5),
    payload: { ...event(5).payload, bloodTypes: [] },
  };
  assert.throws(
    () => parseFeedEvent(withKey),
    (e: unknown) =>
      e instanceof ContractError &&
      e.message === "Event 5 is malformed: unknown payload key 'bloodTypes'",
  );
  assert.throws(
    () => parseFeedEvent({ ...event(6), payload: { residents: {} } }),
    /Event 6 is malformed: payload\.residents: /,
  );
  assert.throws(
    () => parseFeedEvent({ ...event(7), seq: undefined }),
    /An event is malformed: no valid seq/,
  );
});

Deno.test("parseFeedEnvelope() refuses an answer that is not a feed", () => {
  assert.throws(
    () =>
      parseFeedEnvelope({ municipalityCode: "401005", head: -1, events: [] }),
    /The feed answer is malformed: head: /,
  );
  assert.throws(
    () => parseFeedEnvelope({ municipalityCode: "401005", head: 1 }),
    /The feed answer is malformed: events: /,
  );
});
