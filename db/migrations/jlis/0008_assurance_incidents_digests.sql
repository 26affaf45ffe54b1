CREATE TABLE "asp_expected_digests" (
	"municipality_code" text PRIMARY KEY NOT NULL,
	"build_digest" text,
	"config_digest" text,
	"set_at" timestamp with time zone NOT NULL,
	"set_by" text NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "asp_seen_digests" (
	"municipality_code" text NOT NULL,
	"asp_node" text NOT NULL,
	"build_digest" text NOT NULL,
	"config_digest" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "asp_seen_digests_municipality_code_asp_node_build_digest_config_digest_pk" PRIMARY KEY("municipality_code","asp_node","build_digest","config_digest")
);
--> statement-breakpoint
CREATE TABLE "tenant_failures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"municipality_code" text NOT NULL,
	"kind" text NOT NULL,
	"request_id" text NOT NULL,
	"kiosk_id" text NOT NULL,
	"asp_node" text
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "open_key" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "acknowledged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "acknowledged_by" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "acknowledge_reason" text;--> statement-breakpoint
CREATE INDEX "tenant_failures_tenant_kind_at_idx" ON "tenant_failures" USING btree ("municipality_code","kind","at");--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_open_key_unique" UNIQUE("open_key");