CREATE TABLE "applied_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applied_events_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "card_links" (
	"serial" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"active" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households" (
	"id" text PRIMARY KEY NOT NULL,
	"householder_id" text,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issuance_work" (
	"request_id" text PRIMARY KEY NOT NULL,
	"applicant_id" text NOT NULL,
	"replica_seq" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" text PRIMARY KEY NOT NULL,
	"household_id" text NOT NULL,
	"status" text NOT NULL,
	"removal_date" date,
	"updated_seq" bigint NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"status" text NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE INDEX "blocks_resident_idx" ON "blocks" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "card_links_resident_idx" ON "card_links" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "residents_household_idx" ON "residents" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "residents_removed_idx" ON "residents" USING btree ("status","removal_date");--> statement-breakpoint
CREATE INDEX "seals_resident_idx" ON "seals" USING btree ("resident_id");