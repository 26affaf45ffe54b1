// drizzle-kit config for the per-tenant tables (applied in each tenant's schema).
export default {
  dialect: "postgresql",
  schema: "./db/asp/tenant_schema.ts",
  out: "./db/migrations/asp_tenant",
};
