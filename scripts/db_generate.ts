/**
 * Regenerates each service's SQL migrations from its Drizzle schema with
 * drizzle-kit (`deno task db:generate`). Review and commit the SQL.
 *
 * @module
 */
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
