-- registry_commit_events(evs jsonb) as in 0005, and each committed event's
-- outcome also says whether it may concern a card at the center:
-- {"seq": n, "cards": true|false}. `cards` is true when the event writes a
-- card link, or when a resident it writes or deletes has a card link at all
-- (active or ended, any municipality), as seen in the event's own
-- transaction. Only then does the registry run its after-commit card hooks
-- (services/registry/center_binding.ts), which otherwise cost a read of the
-- outbox row per event (P5). Everything else is unchanged: one statement,
-- one transaction, each event in its own subtransaction (an event that
-- fails rolls back alone, its head increment included, and gets
-- {"error": sqlstate, "message": text}), seqs in the given order.
CREATE OR REPLACE FUNCTION registry_commit_events(evs jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  ev jsonb;
  outcomes jsonb := '[]'::jsonb;
  s bigint;
  cards boolean;
BEGIN
  FOR ev IN SELECT x.value FROM jsonb_array_elements(evs) WITH ORDINALITY AS x(value, i)
    ORDER BY x.i
  LOOP
    BEGIN
      s := registry_commit_event(ev);
      cards := coalesce(ev->'write' ? 'cards', false) OR EXISTS (
        SELECT 1 FROM card_links c WHERE c.resident_id IN (
          SELECT r->>'id' FROM jsonb_array_elements(
            coalesce(ev->'write'->'residents', '[]'::jsonb)) r
          UNION ALL
          SELECT jsonb_array_elements_text(
            coalesce(ev->'write'->'deletedResidents', '[]'::jsonb))));
      outcomes := outcomes || jsonb_build_array(
        jsonb_build_object('seq', s, 'cards', cards));
    EXCEPTION WHEN OTHERS THEN
      outcomes := outcomes || jsonb_build_array(
        jsonb_build_object('error', SQLSTATE, 'message', SQLERRM));
    END;
  END LOOP;
  RETURN outcomes;
END
$fn$;
