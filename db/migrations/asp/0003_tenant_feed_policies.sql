ALTER TABLE "control"."tenants" ADD COLUMN "same_day_event_types" text;--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "household_move_out_policy" text DEFAULT 'strict' NOT NULL;--> statement-breakpoint
-- Tenants provisioned before: their role (the sync worker) may now write the
-- policy its feed carries — the registry's municipality record is its one
-- source (new tenants get the grant from applyTenantDdl, services/asp/tenancy.ts).
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT role_name FROM "control"."tenants" LOOP
    EXECUTE format(
      'GRANT UPDATE (same_day_event_types, household_move_out_policy, print_my_number) ON "control"."tenants" TO %I',
      t.role_name);
  END LOOP;
END $$;
