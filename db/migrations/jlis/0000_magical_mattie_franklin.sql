CREATE TABLE "card_status_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"reason" text,
	"verification" jsonb
);
--> statement-breakpoint
CREATE TABLE "cards" (
	"serial" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"certificate_sha256" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"status_changed_at" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"issued_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kiosk_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"kiosk_id" text NOT NULL,
	"nonce" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"outcome" text,
	"card_serial" text,
	"municipality_code" text,
	CONSTRAINT "kiosk_sessions_nonce_unique" UNIQUE("nonce")
);
--> statement-breakpoint
CREATE TABLE "message_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"direction" text NOT NULL,
	"peer" text NOT NULL,
	"request_id" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"status" integer,
	"message_sha256" text NOT NULL,
	"signature" text,
	"key_id" text
);
--> statement-breakpoint
CREATE INDEX "card_status_changes_serial_idx" ON "card_status_changes" USING btree ("serial");--> statement-breakpoint
CREATE INDEX "cards_municipality_idx" ON "cards" USING btree ("municipality_code");--> statement-breakpoint
CREATE INDEX "kiosk_sessions_expires_idx" ON "kiosk_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "message_log_request_idx" ON "message_log" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "message_log_at_idx" ON "message_log" USING btree ("at");