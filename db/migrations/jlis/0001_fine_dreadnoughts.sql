CREATE SEQUENCE "public"."issue_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"municipality_code" text NOT NULL,
	"request_id" text NOT NULL,
	"kiosk_id" text NOT NULL,
	"asp_node" text,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issuance_requests" (
	"request_id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"kiosk_id" text NOT NULL,
	"store_id" text NOT NULL,
	"municipality_code" text NOT NULL,
	"card_serial" text NOT NULL,
	"issue_number" text NOT NULL,
	"type" text NOT NULL,
	"members" jsonb NOT NULL,
	"options" jsonb NOT NULL,
	"state" text NOT NULL,
	"outcome" text,
	"asp_node" text,
	"replica_seq" bigint,
	"applicant_id" text,
	"pages" integer,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "issuance_requests_session_id_unique" UNIQUE("session_id"),
	CONSTRAINT "issuance_requests_issue_number_unique" UNIQUE("issue_number")
);
--> statement-breakpoint
CREATE TABLE "ledger" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"issue_number" text NOT NULL,
	"request_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"prev_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_halts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"halted_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"incident_id" bigint,
	"resumed_at" timestamp with time zone,
	"resumed_by" text,
	"resume_reason" text
);
--> statement-breakpoint
CREATE INDEX "incidents_municipality_idx" ON "incidents" USING btree ("municipality_code");--> statement-breakpoint
CREATE INDEX "issuance_requests_created_idx" ON "issuance_requests" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ledger_issue_number_idx" ON "ledger" USING btree ("issue_number");--> statement-breakpoint
CREATE INDEX "tenant_halts_municipality_idx" ON "tenant_halts" USING btree ("municipality_code");--> statement-breakpoint
-- The chain starts from the genesis head (seq 0, hash of 64 zeros).
INSERT INTO "ledger_head" ("id", "seq", "hash", "prev_hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '0000000000000000000000000000000000000000000000000000000000000000');
