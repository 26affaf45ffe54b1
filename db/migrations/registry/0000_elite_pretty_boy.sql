CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"client" text NOT NULL,
	"action" text NOT NULL,
	"municipality_code" text,
	"subject" text,
	"purpose" text,
	"request_id" text,
	"outcome" text DEFAULT 'ok' NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "card_links" (
	"serial" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"resident_id" text NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unlinked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "households" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"householder_id" text,
	"address" text NOT NULL,
	"katagaki" text,
	"status" text DEFAULT 'active' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issuance_blocks" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"resident_id" text NOT NULL,
	"reason" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"lifted_at" timestamp with time zone,
	"lifted_reason" text
);
--> statement-breakpoint
CREATE TABLE "municipalities" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"mayor" text NOT NULL,
	"print_my_number_at_kiosk" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"municipality_code" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"effective_date" date,
	"payload" jsonb NOT NULL,
	"undo" jsonb,
	"request" jsonb,
	"cancelled_by_seq" bigint,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbox_municipality_code_seq_pk" PRIMARY KEY("municipality_code","seq")
);
--> statement-breakpoint
CREATE TABLE "outbox_heads" (
	"municipality_code" text PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resident_history" (
	"resident_id" text NOT NULL,
	"history_no" integer NOT NULL,
	"municipality_code" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_type" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resident_history_resident_id_history_no_pk" PRIMARY KEY("resident_id","history_no")
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"history_no" integer NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"name_kana" text NOT NULL,
	"former_surname" text,
	"former_surname_kana" text,
	"alphabetic_name" text,
	"alias" text,
	"alias_kana" text,
	"birth_date" date NOT NULL,
	"sex" text NOT NULL,
	"household_id" text NOT NULL,
	"relationship" text NOT NULL,
	"honseki" text,
	"hittousha" text,
	"became_resident_date" date NOT NULL,
	"address_set_date" date NOT NULL,
	"notified_date" date NOT NULL,
	"address" text NOT NULL,
	"katagaki" text,
	"previous_address" text,
	"my_number" text,
	"resident_code" text NOT NULL,
	"is_foreign" boolean DEFAULT false NOT NULL,
	"nationality" text,
	"residence_status" text,
	"period_of_stay" text,
	"stay_expiry" date,
	"residence_card_number" text,
	"planned_move_out_date" date,
	"destination_address" text,
	"removal_reason" text,
	"removal_date" date,
	"updated_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seal_registrations" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_code" text NOT NULL,
	"resident_id" text NOT NULL,
	"registration_number" text NOT NULL,
	"impression_png" "bytea" NOT NULL,
	"registered_date" date NOT NULL,
	"status" text NOT NULL,
	"ended_date" date,
	"end_reason" text
);
--> statement-breakpoint
CREATE INDEX "audit_subject_idx" ON "audit_log" USING btree ("subject");--> statement-breakpoint
CREATE INDEX "card_resident_idx" ON "card_links" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "block_resident_idx" ON "issuance_blocks" USING btree ("resident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_event_id_idx" ON "outbox" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "residents_municipality_idx" ON "residents" USING btree ("municipality_code");--> statement-breakpoint
CREATE INDEX "residents_household_idx" ON "residents" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "seal_resident_idx" ON "seal_registrations" USING btree ("resident_id");