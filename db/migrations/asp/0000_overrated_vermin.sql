CREATE SCHEMA "control";
--> statement-breakpoint
CREATE TABLE "control"."alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"tenant_code" text,
	"kind" text NOT NULL,
	"message" text NOT NULL,
	"details" jsonb,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "control"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"tenant_code" text,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"request_id" text,
	"subject" text,
	"outcome" text DEFAULT 'ok' NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
ALTER TABLE "control"."audit_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."tenants" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"mayor" text NOT NULL,
	"schema_name" text NOT NULL,
	"role_name" text NOT NULL,
	"ddl_version" integer DEFAULT 0 NOT NULL,
	"wrapped_data_key" "bytea" NOT NULL,
	"master_key_id" text NOT NULL,
	"snapshot_seq" bigint,
	"applied_seq" bigint DEFAULT 0 NOT NULL,
	"applied_at" timestamp with time zone,
	"head_seq" bigint DEFAULT 0 NOT NULL,
	"head_seen_at" timestamp with time zone,
	"sync_state" text DEFAULT 'running' NOT NULL,
	"stop_reason" text,
	"stopped_at" timestamp with time zone,
	"print_my_number" boolean DEFAULT false NOT NULL,
	"retention_years" integer DEFAULT 5 NOT NULL,
	"staleness_max_events" integer DEFAULT 0 NOT NULL,
	"staleness_max_seconds" integer DEFAULT 120 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_schema_name_unique" UNIQUE("schema_name"),
	CONSTRAINT "tenants_role_name_unique" UNIQUE("role_name")
);
--> statement-breakpoint
ALTER TABLE "control"."tenants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "alerts_tenant_idx" ON "control"."alerts" USING btree ("tenant_code");--> statement-breakpoint
CREATE INDEX "audit_tenant_idx" ON "control"."audit_log" USING btree ("tenant_code","action");--> statement-breakpoint
CREATE POLICY "audit_insert_own_tenant" ON "control"."audit_log" AS PERMISSIVE FOR INSERT TO public WITH CHECK (exists (select 1 from control.tenants t where t.code = tenant_code and t.role_name = current_user));--> statement-breakpoint
CREATE POLICY "tenants_own_row" ON "control"."tenants" AS PERMISSIVE FOR ALL TO public USING (role_name = current_user) WITH CHECK (role_name = current_user);