/**
 * Regenerates each service's SQL migrations from its Drizzle schema with
 * drizzle-kit (`npx -y deno@2.9.6 task db:generate`). Review and commit the
 * SQL.
 *
 * @module
 */
import { parseCli } from "../lib/service/cli.ts";

parseCli({
  task: "db:generate",
  usage: "",
  description:
    "Regenerates db/migrations/<service> from each service's Drizzle schema.",
  options: {},
});
const SERVICES = ["registry", "asp", "jlis"];

for (const service of SERVICES) {
  const config = `db/${service}/drizzle.config.ts`;
  try {
    await Deno.stat(config);
  } catch {
    continue;
  }
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "npm:drizzle-kit@0.31.11",
      "generate",
      "--config",
      config,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!success) Deno.exit(1);
}
