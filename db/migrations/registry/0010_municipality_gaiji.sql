CREATE TABLE "municipality_gaiji" (
	"municipality_code" text NOT NULL,
	"code_point" integer NOT NULL,
	"path" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "municipality_gaiji_municipality_code_code_point_pk" PRIMARY KEY("municipality_code","code_point")
);
--> statement-breakpoint
ALTER TABLE "municipalities" ADD COLUMN "gaiji_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "municipality_gaiji" ADD CONSTRAINT "municipality_gaiji_municipality_code_municipalities_code_fk" FOREIGN KEY ("municipality_code") REFERENCES "public"."municipalities"("code") ON DELETE no action ON UPDATE no action;