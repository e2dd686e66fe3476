import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { EtagCache } from "../adapters/github/etag-cache.ts";
import { CompositeRegistry } from "../adapters/github/github-registry.ts";
import { LocalRepoStore } from "../adapters/local/local-repo-store.ts";
import { StaticRegistry } from "../adapters/local/static-registry.ts";
import { LogNotifier } from "../adapters/log/log-notifier.ts";
import { createLogger } from "../adapters/log/logger.ts";
import { metricsResolver } from "../adapters/prometheus/metrics-sources.ts";
import { loadMetricsSources } from "../adapters/prometheus/metrics-sources-config.ts";
import { SlackNotifier } from "../adapters/slack/slack-notifier.ts";
import { AlertBook } from "../commands/alert-book.ts";
import type { Notifier, RepoRegistry } from "../ports.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { startOutboxFlusher } from "../surfaces/slack/outbox-flusher.ts";
import { createSlackSurface, SLACK_EVENTS_PATH, type SlackSurface } from "../surfaces/slack/slack-surface.ts";
import { WeeklyReporter } from "../surfaces/slack/weekly-report.ts";
import { type App, createApp } from "./app.ts";
import { coordinationFromEnv } from "./coordination.ts";
import { createGitHubSurface, GITHUB_WEBHOOKS_PATH } from "./github.ts";
import { githubEnabled, parseServerEnv, slackEnabled } from "./server-env.ts";

/** `npm start`: one HTTP server (GitHub webhooks, alerts, health, metrics) plus the evaluation loop. */

const parsed = parseServerEnv(process.env);
if (!parsed.ok) {
  process.stderr.write(
    `rollout-bot: invalid configuration:\n${parsed.problems.map((p) => `  ${p}`).join("\n")}\n`,
  );
  process.exit(2);
}
const env = parsed.env;
// Metrics sources are the operator's: PROMETHEUS_URL is `default`, METRICS_SOURCES names a file with
// more. Repository files only name one, and `owners` limits which repositories may.
const sources = loadMetricsSources(process.env, (path) => readFileSync(path, "utf8"));
if (!sources.ok) {
  process.stderr.write(
    `rollout-bot: invalid metrics sources:\n${sources.problems.map((p) => `  ${p}`).join("\n")}\n`,
  );
  process.exit(2);
}
const logger = createLogger({ level: env.LOG_LEVEL });
const clock = { now: () => new Date() };
// REDIS_URL: leases, dedupe keys, the intent journal, Slack message refs and the tick election are
// shared by every replica; unset: the in-memory implementations of the same ports.
const coordination = coordinationFromEnv(env, logger.child({ component: "coordination" }));
// With Slack: one message per rollout stage, updated in place, threaded replies; failed posts wait in an outbox.
const slackNotifier =
  slackEnabled(env) && env.SLACK_BOT_TOKEN
    ? new SlackNotifier({
        token: env.SLACK_BOT_TOKEN,
        slackApiUrl: env.SLACK_API_URL,
        defaultChannel: env.SLACK_DEFAULT_CHANNEL,
        store: coordination.slackStore,
        logger,
        clock,
      })
    : undefined;
const notifier: Notifier = slackNotifier ?? new LogNotifier(logger);
const metrics = metricsResolver(sources.definitions, { enforceOwners: true });
const book = new AlertBook();
const { lock, dedupe } = coordination;
const registries: RepoRegistry[] = [];
const extraRoutes = new Map<string, RouteHandler>();
let afterEvaluation: (() => Promise<void>) | undefined;
const GATE_REFRESH_MS = 5 * 60_000;

if (env.ROLLOUT_REPO_DIR) {
  const name = env.ROLLOUT_REPO_NAME ?? basename(resolve(env.ROLLOUT_REPO_DIR));
  registries.push(new StaticRegistry([new LocalRepoStore(env.ROLLOUT_REPO_DIR, { commit: true, name })]));
}
if (githubEnabled(env)) {
  const github = await createGitHubSurface(process.env, {
    metrics,
    notifier,
    clock,
    logger: logger.child({ surface: "github" }),
    etags: new EtagCache(),
    lock,
    dedupe,
    alertsFor: (repo) => book.forRepo(repo),
    journal: coordination.journal,
    ...(env.LEASE_TTL_MS ? { leaseTtlMs: env.LEASE_TTL_MS } : {}),
  });
  registries.push(github.registry);
  extraRoutes.set(GITHUB_WEBHOOKS_PATH, github.route);
  // Reviews and pushes re-check a bump PR's gate at once (webhooks); the schedule only catches what
  // time changes (bake, health), so every 5 minutes is enough and keeps reads off the rate limit.
  let lastGateRefresh = Number.NEGATIVE_INFINITY;
  afterEvaluation = async () => {
    const now = clock.now().getTime();
    if (now - lastGateRefresh < GATE_REFRESH_MS) return;
    lastGateRefresh = now;
    await github.refreshAllGates();
  };
  github.registry.refresh().then(
    (count) => logger.info({ repos: count }, "GitHub repositories with rollouts found"),
    (error: unknown) =>
      logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "cannot list installations",
      ),
  );
}
const registry = new CompositeRegistry(registries);
let started: App | undefined;
let slack: SlackSurface | undefined;
if (slackEnabled(env) && env.SLACK_BOT_TOKEN) {
  slack = createSlackSurface({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    slackApiUrl: env.SLACK_API_URL,
    registry,
    // The same command context as the scheduler and the alert inbox (the app exists by the first request).
    context: (store, actor) => {
      if (!started) throw new Error("server not started");
      return started.inbox.context(store, actor);
    },
    clock,
    logger,
  });
  if (slack.route) extraRoutes.set(SLACK_EVENTS_PATH, slack.route);
}
if (registries.length === 0)
  logger.warn({}, "no repository: configure the GitHub App (APP_ID, …) or ROLLOUT_REPO_DIR");
if (!env.ALERT_WEBHOOK_TOKEN)
  logger.warn({}, "ALERT_WEBHOOK_TOKEN unset: the alert endpoints refuse every request");

const app = createApp({
  registry,
  metrics,
  notifier,
  clock,
  logger,
  alertToken: env.ALERT_WEBHOOK_TOKEN,
  book,
  lock,
  dedupe,
  journal: coordination.journal,
  ...(coordination.runCoordinator ? { runCoordinator: coordination.runCoordinator } : {}),
  ...(env.LEASE_TTL_MS ? { leaseTtlMs: env.LEASE_TTL_MS } : {}),
  extraRoutes,
  ...(afterEvaluation ? { afterEvaluation } : {}),
});
started = app;
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
app.scheduler.start(env.EVALUATION_CRON);
slack?.start();
const stopFlusher = slackNotifier ? startOutboxFlusher(slackNotifier, logger) : () => {};
const weekly = slack
  ? new WeeklyReporter({
      registry,
      context: app.inbox.context,
      clock,
      logger: logger.child({ job: "weekly-report" }),
      defaultChannel: env.SLACK_DEFAULT_CHANNEL,
      post: slack.post,
      dedupe,
    })
  : undefined;
weekly?.start(env.EVALUATION_CRON);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing work in flight");
    stopFlusher();
    Promise.all([app.close(), slack?.close(), weekly?.stop()])
      .finally(() => coordination.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
