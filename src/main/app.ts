import type { Server } from "node:http";
import type { RunCoordinator } from "node-cron";
import { Scheduler } from "../adapters/cron/scheduler.ts";
import { MemoryDedupe, MemoryLock } from "../adapters/memory/memory-coordination.ts";
import { MemoryIntentJournal } from "../adapters/memory/memory-journal.ts";
import { AlertBook } from "../commands/alert-book.ts";
import type { CommandContext } from "../commands/context.ts";
import type { InboxDeps } from "../commands/handle-alerts.ts";
import type {
  Clock,
  Dedupe,
  IntentJournal,
  Lock,
  Logger,
  Notifier,
  RepoRegistry,
  RepoStore,
} from "../ports.ts";
import { createAppServer, type RouteHandler } from "../surfaces/http/app-server.ts";
import { createServerMetrics, type ServerObservations } from "../surfaces/http/server-metrics.ts";

/** Wires the ports into the server, the alert inbox and the scheduler. Tests build it with fakes. */

export interface AppOptions {
  registry: RepoRegistry;
  metrics: CommandContext["metrics"];
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  alertToken: string | undefined;
  dedupe?: Dedupe;
  lock?: Lock;
  /** Transitions between commit and dispatch (default: in memory). */
  journal?: IntentJournal;
  /** Replicas: which instance evaluates each scheduled slot (Redis); unset: every tick runs here. */
  runCoordinator?: RunCoordinator;
  /** The per-rollout lease's TTL (default 60 s). */
  leaseTtlMs?: number;
  extraRoutes?: Map<string, RouteHandler>;
  /** Shared with surfaces that evaluate outside the app (the GitHub App's handlers). */
  book?: AlertBook;
  /** Runs after each evaluation pass of the scheduler. */
  afterEvaluation?: () => Promise<void>;
  /** GitHub rate limit and Slack outbox, for /metrics. */
  observe?: ServerObservations;
}

export interface App {
  server: Server;
  scheduler: Scheduler;
  book: AlertBook;
  inbox: InboxDeps;
  /** Stop taking work, let in-flight work finish, stop the scheduler. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const book = options.book ?? new AlertBook({ now: () => options.clock.now().getTime() });
  const context = (store: RepoStore, actor: string): CommandContext => ({
    store,
    metrics: options.metrics,
    notifier: options.notifier,
    clock: options.clock,
    logger: options.logger.child({ repo: store.name }),
    actor,
    dryRun: false,
    alerts: book.forRepo(store.name),
    journal,
    lease: (rollout, fn) =>
      inbox.lock.withLease(`rollout:${AlertBook.scope(store.name, rollout)}`, leaseTtlMs, fn),
  });
  const journal = options.journal ?? new MemoryIntentJournal();
  const leaseTtlMs = options.leaseTtlMs ?? 60_000;
  const inbox: InboxDeps = {
    registry: options.registry,
    context,
    dedupe: options.dedupe ?? new MemoryDedupe(() => options.clock.now().getTime()),
    lock: options.lock ?? new MemoryLock(),
    book,
    logger: options.logger,
    journal,
    leaseTtlMs,
  };
  const metrics = createServerMetrics(options.observe, () => options.clock.now());
  let draining = false;
  const scheduler = new Scheduler({
    registry: options.registry,
    context,
    clock: options.clock,
    logger: options.logger.child({ job: "scheduler" }),
    ...(options.afterEvaluation ? { afterPass: options.afterEvaluation } : {}),
    dedupe: inbox.dedupe,
    lock: inbox.lock,
    journal,
    leaseTtlMs,
    ...(options.runCoordinator ? { runCoordinator: options.runCoordinator } : {}),
    onDecisions: (decisions) => {
      for (const d of decisions) metrics.evaluations.inc({ action: d.action });
      metrics.observeDecisions(decisions);
    },
  });
  const server = createAppServer({
    inbox,
    alertToken: options.alertToken,
    metrics,
    logger: options.logger,
    health: () => (draining ? { ok: false, detail: "draining" } : { ok: true, detail: "ok" }),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });
  return {
    server,
    scheduler,
    book,
    inbox,
    async close() {
      draining = true;
      await scheduler.stop();
      // close() stops accepting connections and resolves once in-flight requests have finished.
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
