ALTER TABLE "residents" ADD COLUMN "furigana_surname" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "furigana_surname_status" text DEFAULT 'unrecorded' NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "furigana_given_name" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "furigana_given_name_status" text DEFAULT 'unrecorded' NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "former_surname_furigana" text;--> statement-breakpoint
ALTER TABLE "residents" ADD CONSTRAINT "residents_furigana_surname_status" CHECK (("residents"."furigana_surname" is null) = ("residents"."furigana_surname_status" = 'unrecorded') and "residents"."furigana_surname_status" in ('unrecorded', 'notified', 'ex_officio'));--> statement-breakpoint
ALTER TABLE "residents" ADD CONSTRAINT "residents_furigana_given_name_status" CHECK (("residents"."furigana_given_name" is null) = ("residents"."furigana_given_name_status" = 'unrecorded') and "residents"."furigana_given_name_status" in ('unrecorded', 'notified', 'ex_officio'));--> statement-breakpoint
-- The legal 氏名の振り仮名 (令和5年法律第48号): registry_commit_event writes
-- every column of residents, so it is replaced with the five new columns in
-- its resident upsert; the rest of it is 0009's, unchanged.
CREATE OR REPLACE FUNCTION registry_commit_event(ev jsonb) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  m constant text := ev->>'municipalityCode';
  chk constant jsonb := coalesce(ev->'check', '{}'::jsonb);
  w constant jsonb := coalesce(ev->'write', '{}'::jsonb);
  s bigint;
  stale text;
BEGIN
  -- 1. The head: serialises the municipality's commits from here to commit.
  UPDATE outbox_heads SET last_seq = last_seq + 1
    WHERE municipality_code = m
    RETURNING last_seq INTO s;
  IF s IS NULL THEN
    RAISE EXCEPTION 'Cannot commit event %: municipality % has no outbox head', ev->>'eventId', m
      USING ERRCODE = 'no_data_found';
  END IF;

  -- 2. Optimistic check: every row and set the plan read is still as read
  -- (absent keys: nothing of that kind was read).
  IF chk ? 'printMyNumberAtKiosk' AND NOT EXISTS (
    SELECT 1 FROM municipalities
    WHERE code = m AND print_my_number_at_kiosk = (chk->>'printMyNumberAtKiosk')::boolean
  ) THEN
    stale := 'the policy of municipality ' || m;
  END IF;
  IF stale IS NULL AND chk ? 'residents' THEN
    SELECT 'resident ' || x.key INTO stale FROM jsonb_each(chk->'residents') x
    WHERE (SELECT r.history_no FROM residents r WHERE r.id = x.key)
      IS DISTINCT FROM (x.value #>> '{}')::integer
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'households' THEN
    SELECT 'household ' || x.key INTO stale FROM jsonb_each(chk->'households') x
    WHERE CASE WHEN jsonb_typeof(x.value) = 'null'
      THEN EXISTS (SELECT 1 FROM households t WHERE t.id = x.key)
      ELSE NOT EXISTS (SELECT 1 FROM households t WHERE t.id = x.key
        AND t = jsonb_populate_record(null::households, x.value)) END
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'seals' THEN
    SELECT 'seal registration ' || x.key INTO stale FROM jsonb_each(chk->'seals') x
    WHERE CASE WHEN jsonb_typeof(x.value) = 'null'
      THEN EXISTS (SELECT 1 FROM seal_registrations t WHERE t.id = x.key)
      ELSE NOT EXISTS (SELECT 1 FROM seal_registrations t WHERE t.id = x.key
        AND t = jsonb_populate_record(null::seal_registrations, x.value)) END
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'blocks' THEN
    SELECT 'block ' || x.key INTO stale FROM jsonb_each(chk->'blocks') x
    WHERE CASE WHEN jsonb_typeof(x.value) = 'null'
      THEN EXISTS (SELECT 1 FROM issuance_blocks t WHERE t.id = x.key)
      ELSE NOT EXISTS (SELECT 1 FROM issuance_blocks t WHERE t.id = x.key
        AND t = jsonb_populate_record(null::issuance_blocks, x.value)) END
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'cards' THEN
    SELECT 'card link ' || x.key INTO stale FROM jsonb_each(chk->'cards') x
    WHERE CASE WHEN jsonb_typeof(x.value) = 'null'
      THEN EXISTS (SELECT 1 FROM card_links t WHERE t.serial = x.key)
      ELSE NOT EXISTS (SELECT 1 FROM card_links t WHERE t.serial = x.key
        AND t = jsonb_populate_record(null::card_links, x.value)) END
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'members' THEN
    SELECT 'the members of household ' || x.key INTO stale FROM jsonb_each(chk->'members') x
    WHERE coalesce((SELECT jsonb_agg(r.id ORDER BY r.id COLLATE "C") FROM residents r
      WHERE r.household_id = x.key), '[]'::jsonb) <> x.value
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'activeSeals' THEN
    SELECT 'the active seals of resident ' || x.key INTO stale FROM jsonb_each(chk->'activeSeals') x
    WHERE coalesce((SELECT jsonb_agg(t.id ORDER BY t.id COLLATE "C") FROM seal_registrations t
      WHERE t.resident_id = x.key AND t.status = 'active'), '[]'::jsonb) <> x.value
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'residentCodes' THEN
    SELECT 'the residents with a resident code' INTO stale FROM jsonb_each(chk->'residentCodes') x
    WHERE coalesce((SELECT jsonb_agg(r.id ORDER BY r.id COLLATE "C") FROM residents r
      WHERE r.resident_code = x.key), '[]'::jsonb) <> x.value
    LIMIT 1;
  END IF;
  IF stale IS NULL AND chk ? 'uncancelled' THEN
    SELECT 'event ' || x.value INTO stale FROM jsonb_array_elements_text(chk->'uncancelled') x
    WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.municipality_code = m
      AND o.seq = x.value::bigint AND o.cancelled_by_seq IS NULL)
    LIMIT 1;
  END IF;
  IF stale IS NOT NULL THEN
    RAISE EXCEPTION 'Cannot commit event %: % changed since it was read', ev->>'eventId', stale
      USING ERRCODE = 'serialization_failure';
  END IF;

  -- 3. The writes. Rows arrive as JSON with column names (bytea as \x hex);
  -- an absent key writes nothing of its kind (and costs no statement).
  IF w ? 'deletedResidents' THEN
    DELETE FROM residents WHERE id IN (SELECT jsonb_array_elements_text(w->'deletedResidents'));
  END IF;
  IF w ? 'residents' THEN
    INSERT INTO residents (id, municipality_code, history_no, status, name, name_kana,
      former_surname, former_surname_kana, alphabetic_name, alias, alias_kana, birth_date, sex,
      household_id, relationship, honseki, hittousha, became_resident_date, address_set_date,
      notified_date, address, katagaki, previous_address, my_number, resident_code, is_foreign,
      nationality, residence_status, period_of_stay, stay_expiry, residence_card_number,
      planned_move_out_date, destination_address, removal_reason, removal_date, processed_date,
      processed_types, furigana_surname, furigana_surname_status, furigana_given_name,
      furigana_given_name_status, former_surname_furigana, updated_seq)
    SELECT x.id, x.municipality_code, x.history_no, x.status, x.name, x.name_kana,
      x.former_surname, x.former_surname_kana, x.alphabetic_name, x.alias, x.alias_kana, x.birth_date, x.sex,
      x.household_id, x.relationship, x.honseki, x.hittousha, x.became_resident_date, x.address_set_date,
      x.notified_date, x.address, x.katagaki, x.previous_address, x.my_number, x.resident_code, x.is_foreign,
      x.nationality, x.residence_status, x.period_of_stay, x.stay_expiry, x.residence_card_number,
      x.planned_move_out_date, x.destination_address, x.removal_reason, x.removal_date, x.processed_date,
      x.processed_types, x.furigana_surname, x.furigana_surname_status, x.furigana_given_name,
      x.furigana_given_name_status, x.former_surname_furigana, s
    FROM jsonb_populate_recordset(null::residents, w->'residents') x
    ON CONFLICT (id) DO UPDATE SET
      municipality_code = excluded.municipality_code, history_no = excluded.history_no,
      status = excluded.status, name = excluded.name, name_kana = excluded.name_kana,
      former_surname = excluded.former_surname, former_surname_kana = excluded.former_surname_kana,
      alphabetic_name = excluded.alphabetic_name, alias = excluded.alias, alias_kana = excluded.alias_kana,
      birth_date = excluded.birth_date, sex = excluded.sex, household_id = excluded.household_id,
      relationship = excluded.relationship, honseki = excluded.honseki, hittousha = excluded.hittousha,
      became_resident_date = excluded.became_resident_date, address_set_date = excluded.address_set_date,
      notified_date = excluded.notified_date, address = excluded.address, katagaki = excluded.katagaki,
      previous_address = excluded.previous_address, my_number = excluded.my_number,
      resident_code = excluded.resident_code, is_foreign = excluded.is_foreign,
      nationality = excluded.nationality, residence_status = excluded.residence_status,
      period_of_stay = excluded.period_of_stay, stay_expiry = excluded.stay_expiry,
      residence_card_number = excluded.residence_card_number,
      planned_move_out_date = excluded.planned_move_out_date,
      destination_address = excluded.destination_address, removal_reason = excluded.removal_reason,
      removal_date = excluded.removal_date, processed_date = excluded.processed_date,
      processed_types = excluded.processed_types,
      furigana_surname = excluded.furigana_surname,
      furigana_surname_status = excluded.furigana_surname_status,
      furigana_given_name = excluded.furigana_given_name,
      furigana_given_name_status = excluded.furigana_given_name_status,
      former_surname_furigana = excluded.former_surname_furigana,
      updated_seq = excluded.updated_seq;
  END IF;

  IF w ? 'deletedHouseholds' THEN
    DELETE FROM households WHERE id IN (SELECT jsonb_array_elements_text(w->'deletedHouseholds'));
  END IF;
  IF w ? 'households' THEN
    INSERT INTO households (id, municipality_code, householder_id, address, katagaki, status)
    SELECT x.id, x.municipality_code, x.householder_id, x.address, x.katagaki, x.status
    FROM jsonb_populate_recordset(null::households, w->'households') x
    ON CONFLICT (id) DO UPDATE SET
      municipality_code = excluded.municipality_code, householder_id = excluded.householder_id,
      address = excluded.address, katagaki = excluded.katagaki, status = excluded.status;
  END IF;

  IF w ? 'deletedSeals' THEN
    DELETE FROM seal_registrations WHERE id IN (SELECT jsonb_array_elements_text(w->'deletedSeals'));
  END IF;
  IF w ? 'seals' THEN
    INSERT INTO seal_registrations (id, municipality_code, resident_id, registration_number,
      impression_png, print_png, compact_png, registered_date, status, ended_date, end_reason)
    SELECT x.id, x.municipality_code, x.resident_id, x.registration_number,
      x.impression_png, x.print_png, x.compact_png, x.registered_date, x.status, x.ended_date,
      x.end_reason
    FROM jsonb_populate_recordset(null::seal_registrations, w->'seals') x
    ON CONFLICT (id) DO UPDATE SET
      municipality_code = excluded.municipality_code, resident_id = excluded.resident_id,
      registration_number = excluded.registration_number, impression_png = excluded.impression_png,
      print_png = excluded.print_png, compact_png = excluded.compact_png,
      registered_date = excluded.registered_date, status = excluded.status,
      ended_date = excluded.ended_date, end_reason = excluded.end_reason;
  END IF;

  IF w ? 'blocks' THEN
    INSERT INTO issuance_blocks (id, municipality_code, resident_id, reason, start_date, end_date,
      lifted_at, lifted_reason)
    SELECT x.id, x.municipality_code, x.resident_id, x.reason, x.start_date, x.end_date,
      x.lifted_at, x.lifted_reason
    FROM jsonb_populate_recordset(null::issuance_blocks, w->'blocks') x
    ON CONFLICT (id) DO UPDATE SET
      municipality_code = excluded.municipality_code, resident_id = excluded.resident_id,
      reason = excluded.reason, start_date = excluded.start_date, end_date = excluded.end_date,
      lifted_at = excluded.lifted_at, lifted_reason = excluded.lifted_reason;
  END IF;

  IF w ? 'cards' THEN
    INSERT INTO card_links (serial, municipality_code, resident_id, linked_at, unlinked_at)
    SELECT x.serial, x.municipality_code, x.resident_id, x.linked_at, x.unlinked_at
    FROM jsonb_populate_recordset(null::card_links, w->'cards') x
    ON CONFLICT (serial) DO UPDATE SET
      municipality_code = excluded.municipality_code, resident_id = excluded.resident_id,
      linked_at = excluded.linked_at, unlinked_at = excluded.unlinked_at;
  END IF;

  IF ev ? 'history' THEN
    INSERT INTO resident_history (resident_id, history_no, municipality_code, seq, event_type, snapshot)
    SELECT x.resident_id, x.history_no, m, s, ev->>'type',
      CASE WHEN x.snapshot ? 'deleted' THEN x.snapshot
      ELSE jsonb_set(x.snapshot, '{updatedSeq}', to_jsonb(s)) END
    FROM jsonb_to_recordset(ev->'history') AS x(resident_id text, history_no integer, snapshot jsonb);
  END IF;

  -- recorded_at: taken under the head lock, so it grows with seq and is
  -- within this function's run of the commit (the feed's recordedAt).
  INSERT INTO outbox (municipality_code, seq, event_id, type, effective_date, notified_date,
    processed_date, payload, undo, request, recorded_at)
  VALUES (m, s, ev->>'eventId', ev->>'type', (ev->>'effectiveDate')::date,
    (ev->>'notifiedDate')::date, (ev->>'processedDate')::date,
    ev->'payload', ev->'undo', ev->'request', clock_timestamp());

  IF jsonb_typeof(ev->'cancelsSeq') = 'number' THEN
    UPDATE outbox SET cancelled_by_seq = s
    WHERE municipality_code = m AND seq = (ev->>'cancelsSeq')::bigint;
  END IF;

  INSERT INTO audit_log (client, action, municipality_code, subject, request_id, details)
  VALUES (ev->>'client', 'event.' || (ev->>'type'), m, nullif(ev->>'subject', ''), ev->>'requestId',
    jsonb_build_object('seq', s, 'eventId', ev->>'eventId'));

  RETURN s;
END
$fn$;
