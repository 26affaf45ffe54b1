CREATE TABLE "card_pin_resets" (
	"id" text PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"generation" integer NOT NULL,
	"retry" boolean NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"verification" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "pinless" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "unblock_seed" text;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "pin_reset_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "card_pin_resets_serial_idx" ON "card_pin_resets" USING btree ("serial");