ALTER TABLE "control"."tenants" ADD COLUMN "same_day_event_types" text;--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "household_move_out_policy" text DEFAULT 'strict' NOT NULL;--> statement-breakpoint
-- Tenants provisioned before: their role may now write the policy its feed carries
-- (new tenants get it from applyTenantDdl, services/asp/tenancy.ts).
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT role_name FROM "control"."tenants" LOOP
    EXECUTE format('GRANT UPDATE (same_day_event_types, household_move_out_policy) ON "control"."tenants" TO %I', t.role_name);
  END LOOP;
END $$;
