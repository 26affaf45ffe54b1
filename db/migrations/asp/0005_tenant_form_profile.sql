ALTER TABLE "control"."tenants" ALTER COLUMN "name" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."tenants" ALTER COLUMN "mayor" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "form_profile" jsonb;--> statement-breakpoint
-- Tenants provisioned before: their role (the sync worker) may now write the
-- name, mayor and form profile its feed carries — the registry's municipality
-- record is their one source (new tenants get the grant from applyTenantDdl,
-- services/asp/tenancy.ts).
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT role_name FROM "control"."tenants" LOOP
    EXECUTE format(
      'GRANT UPDATE (name, mayor, form_profile) ON "control"."tenants" TO %I',
      t.role_name);
  END LOOP;
END $$;
--> statement-breakpoint
-- The name and mayor held so far came from the ASP's start-up configuration:
-- forgotten, so that forms print only the registry's record (issuance waits
-- for the next feed answer, at most a heartbeat away).
UPDATE "control"."tenants" SET "name" = NULL, "mayor" = NULL;
