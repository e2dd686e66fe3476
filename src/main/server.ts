import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { loadFlagTargets } from "../adapters/flags/flag-target-registry.ts";
import { CompositeRegistry } from "../adapters/github/github-registry.ts";
import { RateLimitObserver } from "../adapters/github/rate-limit-observer.ts";
import { LocalRepoStore } from "../adapters/local/local-repo-store.ts";
import { StaticRegistry } from "../adapters/local/static-registry.ts";
import { LogNotifier } from "../adapters/log/log-notifier.ts";
import { createLogger } from "../adapters/log/logger.ts";
import { metricsResolver } from "../adapters/prometheus/metrics-sources.ts";
import { loadMetricsSources } from "../adapters/prometheus/metrics-sources-config.ts";
import type { SlackNotifier } from "../adapters/slack/slack-notifier.ts";
import { DEFAULT_LEASE_TTL_MS, type Services } from "../commands/services.ts";
import { errorMessage } from "../core/errors.ts";
import type { Notifier, RepoRegistry } from "../ports.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { createApp } from "./app.ts";
import { coordinationFromEnv } from "./coordination.ts";
import { loadEnvFile } from "./env-file.ts";
import { createGitHubSurface, GITHUB_WEBHOOKS_PATH, githubWebUrl } from "./github.ts";
import { githubSetupFromEnv } from "./github-setup.ts";
import { githubEnabled, parseServerEnv, slackEnabled } from "./server-env.ts";
import type { SlackClient } from "./slack.ts";
import { createWebSurface, liveUpdates, mountWeb } from "./web.ts";

/**
 * `npm start`: one HTTP server (GitHub webhooks, Slack, alerts, health, metrics) plus the evaluation loop.
 * Optional parts are imported only when configured (Slack: Bolt and the Web API; Redis: ioredis), so a
 * server without them neither loads nor holds them (separate chunks of the bundle).
 */

const envFile = loadEnvFile();
const parsed = parseServerEnv(process.env);
if (!parsed.ok) {
  // A log line like every other (stdout, JSON), naming each variable and never echoing its value.
  createLogger({ level: "info", destination: 1 }).fatal(
    { problems: parsed.problems, envFile: envFile ?? null },
    "invalid configuration",
  );
  process.exit(2);
}
const env = parsed.env;
const logger = createLogger({ level: env.LOG_LEVEL, destination: 1 });
if (envFile) logger.info({ path: envFile }, "loaded .env");
// Metrics sources are the operator's: PROMETHEUS_URL is `default`, METRICS_SOURCES names a file with
// more. Repository files only name one, and `owners` limits which repositories may.
const sources = loadMetricsSources(process.env, (path) => readFileSync(path, "utf8"));
if (!sources.ok) {
  logger.fatal({ problems: sources.problems }, "invalid metrics sources");
  process.exit(2);
}
const clock = { now: () => new Date() };
const coordination = await coordinationFromEnv(env, logger.child({ component: "coordination" }));
const githubUrl = githubWebUrl(process.env);
const slackOn = slackEnabled(env) && env.SLACK_BOT_TOKEN !== undefined;
const slackModules =
  slackOn && env.SLACK_BOT_TOKEN
    ? await Promise.all([
        import("../adapters/slack/slack-notifier.ts"),
        import("./slack.ts"),
        import("../surfaces/slack/outbox-flusher.ts"),
      ])
    : undefined;
// With Slack: one message per rollout stage, updated in place, threaded replies; failed posts wait in an outbox.
const slackNotifier: SlackNotifier | undefined =
  slackModules && env.SLACK_BOT_TOKEN
    ? new slackModules[0].SlackNotifier({
        token: env.SLACK_BOT_TOKEN,
        slackApiUrl: env.SLACK_API_URL,
        defaultChannel: env.SLACK_DEFAULT_CHANNEL,
        store: coordination.slackStore,
        logger,
        clock,
        githubUrl,
        pageUrl: env.PUBLIC_URL,
      })
    : undefined;
// The status page's open pages refresh after every status posted, from any surface.
const live = liveUpdates(logger);
const notifier: Notifier = live.watch(slackNotifier ?? new LogNotifier(logger));
const slackClient: SlackClient | undefined =
  slackModules && env.SLACK_BOT_TOKEN
    ? slackModules[1].slackDirectory({
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        slackApiUrl: env.SLACK_API_URL,
        clock,
        logger,
      })
    : undefined;
// FLAG_TARGETS: the flag services (Unleash, LaunchDarkly, …) the operator lets repositories name.
const flags = await loadFlagTargets(process.env).catch((error: unknown) => {
  logger.fatal({ err: errorMessage(error) }, "invalid configuration");
  process.exit(2);
});
const services: Services = {
  metrics: metricsResolver(sources.definitions, { enforceOwners: true }),
  notifier,
  clock,
  logger,
  coordination,
  leaseTtlMs: env.LEASE_TTL_MS ?? DEFAULT_LEASE_TTL_MS,
  slack: slackClient?.groups,
  slackTeam: env.SLACK_TEAM_ID,
  flags,
};

const rateLimits = new RateLimitObserver();
const registries: RepoRegistry[] = [];
const extraRoutes = new Map<string, RouteHandler>();
if (env.ROLLOUT_REPO_DIR) {
  const name = env.ROLLOUT_REPO_NAME ?? basename(resolve(env.ROLLOUT_REPO_DIR));
  registries.push(new StaticRegistry([new LocalRepoStore(env.ROLLOUT_REPO_DIR, { commit: true, name })]));
}
if (githubEnabled(env)) {
  const github = await createGitHubSurface(
    process.env,
    { ...services, logger: logger.child({ surface: "github" }) },
    { log: logger, rateLimits },
  );
  registries.push(github.registry);
  extraRoutes.set(GITHUB_WEBHOOKS_PATH, github.route);
  github.registry.refresh().then(
    (count) => logger.info({ repos: count }, "GitHub repositories with rollouts found"),
    (error: unknown) => logger.error({ err: errorMessage(error) }, "cannot list installations"),
  );
} else {
  // No App yet: /setup registers one through GitHub's manifest flow and writes .env.
  for (const [path, route] of githubSetupFromEnv(env, logger)) extraRoutes.set(path, route);
}
const registry = new CompositeRegistry(registries);
const slack =
  slackClient && slackModules
    ? slackModules[1].createSlackSurface(slackClient, services, registry, {
        githubUrl,
        pageUrl: env.PUBLIC_URL,
      })
    : undefined;
const web = createWebSurface({ env, services, registry, live, localMode: Boolean(env.ROLLOUT_REPO_DIR) });
mountWeb(extraRoutes, web, registries.length > 0);
if (slack?.route && slackModules) extraRoutes.set(slackModules[1].SLACK_EVENTS_PATH, slack.route);
if (registries.length === 0)
  logger.warn({}, "no repository: register the GitHub App at /setup (or set APP_ID, …) or ROLLOUT_REPO_DIR");
if (!env.ALERT_WEBHOOK_TOKEN && !env.ALERT_TOKEN_KEY)
  logger.warn(
    {},
    "neither ALERT_WEBHOOK_TOKEN nor ALERT_TOKEN_KEY is set: the alert endpoints refuse every request",
  );

const app = createApp({
  services,
  registry,
  alertToken: env.ALERT_WEBHOOK_TOKEN,
  alertTokenKey: env.ALERT_TOKEN_KEY,
  extraRoutes,
  defaultChannel: env.SLACK_DEFAULT_CHANNEL,
  observe: { githubRateLimit: () => rateLimits.snapshot(), outboxLength: () => slackNotifier?.pending ?? 0 },
});
app.server.listen(env.PORT, env.HOST, () => {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  logger.info(
    {
      port,
      github: githubEnabled(env),
      slack: slackEnabled(env),
      coordination: coordination.kind,
      metricsSources: sources.definitions.map((d) => d.name),
    },
    "rollout-bot listening",
  );
});
app.start(env.EVALUATION_CRON);
slack?.start();
const stopFlusher =
  slackNotifier && slackModules ? slackModules[2].startOutboxFlusher(slackNotifier, logger) : () => {};

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing work in flight");
    stopFlusher();
    web.close();
    Promise.all([app.close(), slack?.close()])
      .finally(() => coordination.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
