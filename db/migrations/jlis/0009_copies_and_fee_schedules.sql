CREATE TABLE "fee_schedule_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"type" text NOT NULL,
	"fee" integer NOT NULL,
	"valid_from" text NOT NULL,
	"valid_until" text,
	"set_at" timestamp with time zone NOT NULL,
	"set_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issuance_copies" (
	"issue_number" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"copy" integer NOT NULL,
	"pages" integer NOT NULL,
	"fee" integer NOT NULL,
	"state" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issuance_requests" ADD COLUMN "copies" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX "fee_schedule_entries_municipality_idx" ON "fee_schedule_entries" USING btree ("municipality_code");--> statement-breakpoint
CREATE INDEX "issuance_copies_request_idx" ON "issuance_copies" USING btree ("request_id");--> statement-breakpoint
INSERT INTO "issuance_copies" ("issue_number", "request_id", "copy", "pages", "fee", "state")
SELECT r."issue_number", r."request_id", 1, r."pages",
  coalesce((SELECT (l."data"->>'fee')::integer FROM "ledger" l
    WHERE l."issue_number" = r."issue_number" AND l."kind" = 'issued' LIMIT 1), 0),
  r."state"
FROM "issuance_requests" r
WHERE r."pages" IS NOT NULL AND r."state" IN ('released', 'delivered', 'voided', 'revoked');
