/**
 * Applies every service's committed migrations to its database
 * (`npx -y deno@2.9.6 task db:migrate`): PostgreSQL when `DATABASE_URL` is set (one
 * database per service: `<url>_<service>` unless `<SERVICE>_DATABASE_URL` is
 * given), otherwise PGlite under ./data/<service>.
 *
 * @module
 */
import { serviceDatabaseOptions } from "../lib/db/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { parseCli } from "../lib/service/cli.ts";

parseCli({
  task: "db:migrate",
  usage: "",
  description:
    "Applies each service's committed migrations: PostgreSQL with DATABASE_URL\n" +
    "(or <SERVICE>_DATABASE_URL), else PGlite under ./data/<service>.",
  options: {},
});

const SERVICES = ["registry", "asp", "jlis"];

for (const service of SERVICES) {
  const folder = `db/migrations/${service}`;
  try {
    await Deno.stat(folder);
  } catch {
    continue;
  }
  const opts = await serviceDatabaseOptions(service);
  const database = await openDatabase(opts);
  try {
    await database.migrate(folder);
    console.log(
      `${service}: migrated (${database.kind}${
        opts.dataDir ? " " + opts.dataDir : ""
      })`,
    );
  } finally {
    await database.close();
  }
}
