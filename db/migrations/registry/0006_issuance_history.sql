CREATE TABLE "issuance_entries" (
	"municipality_code" text NOT NULL,
	"seq" bigint NOT NULL,
	"ledger_seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"issue_number" text NOT NULL,
	"request_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"hash" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "issuance_entries_municipality_code_seq_pk" PRIMARY KEY("municipality_code","seq")
);
--> statement-breakpoint
CREATE TABLE "issuance_feed_heads" (
	"municipality_code" text PRIMARY KEY NOT NULL,
	"contiguous_seq" bigint DEFAULT 0 NOT NULL,
	"center_head" bigint DEFAULT 0 NOT NULL,
	"pulled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "issuances" (
	"issue_number" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"store_id" text NOT NULL,
	"kiosk_id" text NOT NULL,
	"applicant_id" text,
	"card_serial" text,
	"type" text NOT NULL,
	"members" jsonb,
	"options" jsonb,
	"subjects" jsonb NOT NULL,
	"pages" integer NOT NULL,
	"fee" integer NOT NULL,
	"status" text NOT NULL,
	"delivered_pages" jsonb NOT NULL,
	"voided_pages" jsonb NOT NULL,
	"disposal" jsonb NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"revoke_reason" text,
	"last_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "issuance_entries_issue_idx" ON "issuance_entries" USING btree ("issue_number");--> statement-breakpoint
CREATE INDEX "issuances_municipality_at_idx" ON "issuances" USING btree ("municipality_code","issued_at","issue_number");--> statement-breakpoint
CREATE INDEX "issuances_applicant_idx" ON "issuances" USING btree ("municipality_code","applicant_id");--> statement-breakpoint
CREATE INDEX "issuances_subjects_idx" ON "issuances" USING gin ("subjects");