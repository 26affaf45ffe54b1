ALTER TABLE "control"."tenants" ADD COLUMN "same_day_event_types" text;--> statement-breakpoint
ALTER TABLE "control"."tenants" ADD COLUMN "household_move_out_policy" text DEFAULT 'strict' NOT NULL;