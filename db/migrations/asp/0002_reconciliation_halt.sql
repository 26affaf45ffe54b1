CREATE TABLE "control"."reconciliations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_code" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	"outcome" text NOT NULL,
	"trigger" text NOT NULL,
	"records" integer NOT NULL,
	"requests" integer NOT NULL,
	"duration_ms" integer NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "halted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "halt_reason" text;--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "halt_details" jsonb;--> statement-breakpoint
CREATE INDEX "reconciliations_tenant_idx" ON "control"."reconciliations" USING btree ("tenant_code","id");