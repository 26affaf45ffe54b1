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
-- Entries written before the feed existed: numbered per municipality (the issue number's, either form: lib/contracts/issue_number.ts) in the ledger's order.
INSERT INTO "ledger_municipal_entries" ("municipality_code", "seq", "ledger_seq")
SELECT "code", row_number() OVER (PARTITION BY "code" ORDER BY "seq"), "seq"
FROM (SELECT "seq", coalesce(substring("issue_number" from '^[0-9]{8}-([0-9]{6})-'),
  substring("issue_number" from '^([0-9]{6})-[0-9]{8}-')) AS "code" FROM "ledger") l
WHERE "code" IS NOT NULL;--> statement-breakpoint
INSERT INTO "ledger_municipal_heads" ("municipality_code", "last_seq")
SELECT "municipality_code", max("seq") FROM "ledger_municipal_entries" GROUP BY "municipality_code";
