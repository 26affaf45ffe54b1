// drizzle-kit config for the ASP's control schema (tenant directory, alerts, audit).
export default {
  dialect: "postgresql",
  schema: "./db/asp/schema.ts",
  out: "./db/migrations/asp",
};
