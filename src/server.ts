import { basename, resolve } from "node:path";
import { StaticRegistry } from "./adapters/local-registry.ts";
import { LocalRepoStore } from "./adapters/local-repo-store.ts";
import { LogNotifier } from "./adapters/log-notifier.ts";
import { createLogger } from "./adapters/logger.ts";
import { prometheusFromEnv } from "./adapters/metrics-factory.ts";
import { createApp } from "./app.ts";
import { parseServerEnv } from "./config/server-env.ts";

/** `npm start`: one HTTP server for alerts, health and metrics, plus the evaluation loop. */

const parsed = parseServerEnv(process.env);
if (!parsed.ok) {
  process.stderr.write(
    `rollout-bot: invalid configuration:\n${parsed.problems.map((p) => `  ${p}`).join("\n")}\n`,
  );
  process.exit(2);
}
const env = parsed.env;
const logger = createLogger({ level: env.LOG_LEVEL });
const stores = env.ROLLOUT_REPO_DIR
  ? [
      new LocalRepoStore(env.ROLLOUT_REPO_DIR, {
        commit: true,
        name: env.ROLLOUT_REPO_NAME ?? basename(resolve(env.ROLLOUT_REPO_DIR)),
      }),
    ]
  : [];
if (stores.length === 0) logger.warn({}, "no repository configured: set ROLLOUT_REPO_DIR to a checkout");
if (!env.ALERT_WEBHOOK_TOKEN)
  logger.warn({}, "ALERT_WEBHOOK_TOKEN unset: the alert endpoints refuse every request");

const app = createApp({
  registry: new StaticRegistry(stores),
  metrics: prometheusFromEnv(process.env),
  notifier: new LogNotifier(logger),
  clock: { now: () => new Date() },
  logger,
  alertToken: env.ALERT_WEBHOOK_TOKEN,
});
app.server.listen(env.PORT, env.HOST, () => {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  logger.info({ port, repos: stores.map((s) => s.name) }, "rollout-bot listening");
});
app.scheduler.start(env.EVALUATION_CRON);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing work in flight");
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
