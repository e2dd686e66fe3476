import type { Server } from "node:http";
import { type CronLoop, startCronLoop } from "../adapters/cron/cron-loop.ts";
import { EvaluationPass } from "../commands/evaluation-pass.ts";
import type { InboxDeps } from "../commands/handle-alerts.ts";
import type { Services } from "../commands/services.ts";
import type { RepoRegistry } from "../ports.ts";
import { createAppServer, type RouteHandler } from "../surfaces/http/app-server.ts";
import { createServerMetrics, type ServerObservations } from "../surfaces/http/server-metrics.ts";

/** Wires the services into the HTTP server, the alert inbox and the evaluation loop. Tests build it with fakes. */

export interface AppOptions {
  services: Services;
  registry: RepoRegistry;
  /** `ALERT_WEBHOOK_TOKEN`: alerts for every repository. */
  alertToken: string | undefined;
  /** `ALERT_TOKEN_KEY`: per-repository alert tokens. */
  alertTokenKey?: string | undefined;
  /** Exact paths mounted beside the bot's own (Probot, Bolt). */
  extraRoutes?: Map<string, RouteHandler>;
  /** Where weekly reports go when neither the rollout nor the settings name a channel. */
  defaultChannel?: string | undefined;
  /** GitHub rate limit and Slack outbox, for /metrics. */
  observe?: ServerObservations;
}

export interface App {
  server: Server;
  scheduler: EvaluationPass;
  inbox: InboxDeps;
  services: Services;
  /** Runs the evaluation loop on a cron expression (replicas elect one runner per slot). */
  start(expression?: string): void;
  /** Stop taking work, let in-flight work finish, stop the loop. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { services, registry } = options;
  const metrics = createServerMetrics(options.observe, () => services.clock.now());
  // Clean-up the alert inbox does after answering; close() waits for it.
  const pending = new Set<Promise<void>>();
  const background = (work: () => Promise<void>) => {
    const running: Promise<void> = work()
      .catch((error: unknown) => services.logger.warn({ err: String(error) }, "background work failed"))
      .finally(() => pending.delete(running));
    pending.add(running);
  };
  const inbox: InboxDeps = { services, registry, background };
  const scheduler = new EvaluationPass({
    services: { ...services, logger: services.logger.child({ job: "evaluation" }) },
    registry,
    defaultChannel: options.defaultChannel,
    onDecisions: (decisions) => {
      for (const d of decisions) metrics.evaluations.inc({ action: d.action });
      metrics.observeDecisions(decisions);
    },
  });
  let draining = false;
  let loop: CronLoop | undefined;
  const server = createAppServer({
    inbox,
    alertToken: options.alertToken,
    alertTokenKey: options.alertTokenKey,
    metrics,
    logger: services.logger,
    health: () => (draining ? { ok: false, detail: "draining" } : { ok: true, detail: "ok" }),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });
  return {
    server,
    scheduler,
    inbox,
    services,
    start(expression = "* * * * *") {
      // On start, not a minute later: a rollback a killed process committed without its dispatch.
      background(async () => {
        await scheduler.reconcileAll();
      });
      // The loop only starts passes: one slow repository never blocks the next pass (evaluation-pass.ts).
      loop = startCronLoop(expression, "rollout-evaluation", async () => scheduler.start(), {
        runCoordinator: services.coordination.runCoordinator,
      });
    },
    async close() {
      draining = true;
      await loop?.stop();
      await scheduler.drain();
      // close() stops accepting connections and resolves once in-flight requests have finished.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(pending);
    },
  };
}
