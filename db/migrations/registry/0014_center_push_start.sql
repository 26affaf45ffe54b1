-- Custom SQL migration file, put your code below! ---- An existing database starts each municipality's center-push cursor at its
-- outbox head: the events before were pushed by the former in-memory flow
-- and are not pushed again (services/registry/center_binding.ts).
INSERT INTO "center_push_cursors" ("municipality_code", "derived_seq")
SELECT "municipality_code", "last_seq" FROM "outbox_heads"
ON CONFLICT ("municipality_code") DO NOTHING;
