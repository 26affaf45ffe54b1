/**
 * Starts the whole local system (`deno task start`): every service on its
 * own embedded database (or PostgreSQL with DATABASE_URL), with demo data on
 * first run, and prints each service's URL.
 *
 * @module
 */
import { startRegistry } from "./services/registry/main.ts";
import { seedDemo } from "./scripts/demo.ts";

const registry = await startRegistry();
await seedDemo(registry.database);

console.log(`
コンビニ交付 — local system
  registry (住民基本台帳)  ${registry.url}
    OpenAPI               ${registry.url}/openapi.json
    Swagger UI            ${registry.url}/docs
    health / metrics      ${registry.url}/healthz  ${registry.url}/metrics
  Development client tokens are listed in services/registry/config.ts (DEV_CLIENTS).
Press Ctrl+C to stop.`);

Deno.addSignalListener("SIGINT", async () => {
  await registry.stop();
  Deno.exit(0);
});
