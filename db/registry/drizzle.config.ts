// drizzle-kit config for the registry's database.
export default {
  dialect: "postgresql",
  schema: "./db/registry/schema.ts",
  out: "./db/migrations/registry",
};
