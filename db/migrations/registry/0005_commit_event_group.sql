-- registry_commit_events(evs jsonb): commits a GROUP of planned business
-- events as ONE statement, i.e. one transaction and one WAL flush, called in
-- autocommit mode by services/registry/store.ts (group commit, P5). `evs` is
-- a JSON array of registry_commit_event arguments (0002), in the order the
-- events were queued. Each event runs in its own subtransaction (the
-- BEGIN … EXCEPTION block below is a savepoint): an event that fails is
-- rolled back alone — its head increment included, so the municipality's
-- sequence keeps no gap — and its SQLSTATE and message are returned in its
-- place; the following events take the next seqs. The result is a JSON array
-- with one entry per event, in order: {"seq": n} or {"error": sqlstate,
-- "message": text}. Nothing is visible, and no caller is answered, before
-- the commit that follows this statement.
CREATE OR REPLACE FUNCTION registry_commit_events(evs jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  ev jsonb;
  outcomes jsonb := '[]'::jsonb;
  s bigint;
BEGIN
  FOR ev IN SELECT x.value FROM jsonb_array_elements(evs) WITH ORDINALITY AS x(value, i)
    ORDER BY x.i
  LOOP
    BEGIN
      s := registry_commit_event(ev);
      outcomes := outcomes || jsonb_build_array(jsonb_build_object('seq', s));
    EXCEPTION WHEN OTHERS THEN
      outcomes := outcomes || jsonb_build_array(
        jsonb_build_object('error', SQLSTATE, 'message', SQLERRM));
    END;
  END LOOP;
  RETURN outcomes;
END
$fn$;
