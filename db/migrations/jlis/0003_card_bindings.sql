CREATE TABLE "card_binding_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"previous_digest" text,
	"digest" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "card_bindings" (
	"serial" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"digest" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "card_binding_changes_serial_idx" ON "card_binding_changes" USING btree ("serial");