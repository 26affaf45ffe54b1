CREATE TABLE "ledger_municipal_entries" (
	"municipality_code" text NOT NULL,
	"seq" bigint NOT NULL,
	"ledger_seq" bigint NOT NULL,
	CONSTRAINT "ledger_municipal_entries_municipality_code_seq_pk" PRIMARY KEY("municipality_code","seq"),
	CONSTRAINT "ledger_municipal_entries_ledger_seq_unique" UNIQUE("ledger_seq")
);
--> statement-breakpoint
CREATE TABLE "ledger_municipal_heads" (
	"municipality_code" text PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL
);
--> statement-breakpoint
-- Entries written before the feed existed: numbered per municipality (the issue number's prefix) in the ledger's order.
INSERT INTO "ledger_municipal_entries" ("municipality_code", "seq", "ledger_seq")
SELECT left("issue_number", 6), row_number() OVER (PARTITION BY left("issue_number", 6) ORDER BY "seq"), "seq"
FROM "ledger" WHERE "issue_number" ~ '^[0-9]{6}-';--> statement-breakpoint
INSERT INTO "ledger_municipal_heads" ("municipality_code", "last_seq")
SELECT "municipality_code", max("seq") FROM "ledger_municipal_entries" GROUP BY "municipality_code";
