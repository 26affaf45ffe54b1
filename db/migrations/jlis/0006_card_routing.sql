CREATE TABLE "card_route_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"kind" text NOT NULL,
	"from_municipality" text NOT NULL,
	"to_municipality" text,
	"at" timestamp with time zone NOT NULL,
	"effective_from" timestamp with time zone,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"reason" text,
	"verification" jsonb
);
--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "routed_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "moved_out_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "card_route_changes_serial_idx" ON "card_route_changes" USING btree ("serial");