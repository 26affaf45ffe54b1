CREATE TABLE "gaiji" (
	"code_point" integer PRIMARY KEY NOT NULL,
	"path" text NOT NULL
);
