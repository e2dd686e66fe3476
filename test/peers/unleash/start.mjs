// Starts the real Unleash server for the tests (test/helpers/unleash.ts), configured by env:
// DATABASE_URL, HTTP_PORT, INIT_ADMIN_API_TOKENS. Migrations run on the first start.
import { start } from "unleash-server";

const unleash = await start({
  db: { ssl: false },
  server: { host: "127.0.0.1", enableRequestLogger: false },
  logLevel: "warn",
  // No telemetry or version checks from a test run.
  versionCheck: { enable: false },
});
process.on("SIGTERM", async () => {
  await unleash.stop();
  process.exit(0);
});
