// drizzle-kit config for the J-LIS center's database.
export default {
  dialect: "postgresql",
  schema: "./db/jlis/schema.ts",
  out: "./db/migrations/jlis",
};
