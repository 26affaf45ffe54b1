CREATE TABLE "center_push_cursors" (
	"municipality_code" text PRIMARY KEY NOT NULL,
	"derived_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "center_pushes" (
	"municipality_code" text NOT NULL,
	"seq" bigint NOT NULL,
	"ord" integer NOT NULL,
	"kind" text NOT NULL,
	"serial" text NOT NULL,
	"body" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_status" integer,
	"last_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	CONSTRAINT "center_pushes_municipality_code_seq_ord_pk" PRIMARY KEY("municipality_code","seq","ord")
);
--> statement-breakpoint
CREATE INDEX "center_pushes_pending_idx" ON "center_pushes" USING btree ("municipality_code","seq","ord") WHERE status = 'pending';