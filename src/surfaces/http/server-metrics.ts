import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import pkg from "../../../package.json" with { type: "json" };
import type { TickDecision } from "../../commands/tick.ts";
import { parseDuration } from "../../core/duration.ts";
import type { HealthStatus } from "../../core/rollout/health.ts";

/**
 * The bot's own Prometheus metrics, served at GET /metrics. One registry per server (tests run
 * several). Process and Node.js metrics keep their standard names (process_cpu_seconds_total,
 * nodejs_heap_size_used_bytes, …) so stock dashboards and alerts work on them.
 */

/** What the server knows beyond its own requests, read at each scrape. */
export interface ServerObservations {
  /** GitHub's latest `x-ratelimit-remaining`, by resource (core, graphql, …). */
  githubRateLimit?: () => ReadonlyMap<string, { remaining: number; limit: number }>;
  /** Slack posts waiting in the outbox to be re-sent. */
  outboxLength?: () => number;
}

export const HEALTH_VALUE: Readonly<Record<HealthStatus, number>> = { green: 0, yellow: 1, red: 2 };
export const EVENT_LOOP_SAMPLE_MS = 100;
const PHASES = ["pending", "baking", "paused", "rolled_back", "complete"] as const;

export function createServerMetrics(observe: ServerObservations = {}, now: () => Date = () => new Date()) {
  const registry = new Registry();
  // The event-loop lag histogram samples on a timer: at prom-client's default 10 ms that is 100
  // wake-ups a second, ≈ 8 ms of CPU every second on an idle server (measured); 100 ms keeps the lag
  // percentiles (each sample still measures its own delay) for a tenth of the cost.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const rollout = ["repo", "rollout"] as const;
  new Gauge({
    name: "rollout_bot_build_info",
    help: "The running build: always 1, with its version and Node.js version as labels",
    labelNames: ["version", "node_version"],
    registers,
  }).set({ version: pkg.version, node_version: process.versions.node }, 1);
  const metrics = {
    registry,
    httpRequests: new Histogram({
      name: "rollout_bot_http_request_duration_seconds",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    alerts: new Counter({
      name: "rollout_bot_alerts_total",
      help: "Alerts received, by source and result",
      labelNames: ["source", "result"],
      registers,
    }),
    evaluations: new Counter({
      name: "rollout_bot_evaluations_total",
      help: "Rollout evaluations by the scheduler, by decision",
      labelNames: ["action"],
      registers,
    }),
    lastEvaluation: new Gauge({
      name: "rollout_bot_last_evaluation_timestamp_seconds",
      help: "When the scheduler last finished a pass (a stuck loop stops moving it)",
      registers,
    }),
    percent: new Gauge({
      name: "rollout_bot_rollout_percent",
      help: "Current traffic percentage",
      labelNames: rollout,
      registers,
    }),
    health: new Gauge({
      name: "rollout_bot_rollout_health",
      help: "Health at the last evaluation: 0 green, 1 yellow, 2 red",
      labelNames: rollout,
      registers,
    }),
    phase: new Gauge({
      name: "rollout_bot_rollout_phase",
      help: "1 for the rollout's current phase, 0 for the others",
      labelNames: [...rollout, "phase"],
      registers,
    }),
    stage: new Gauge({
      name: "rollout_bot_rollout_stage",
      help: "Current stage (0 before the first)",
      labelNames: rollout,
      registers,
    }),
    bakeRemaining: new Gauge({
      name: "rollout_bot_rollout_bake_remaining_seconds",
      help: "Bake time left in the current stage",
      labelNames: rollout,
      registers,
    }),
    cooldownRemaining: new Gauge({
      name: "rollout_bot_rollout_cooldown_remaining_seconds",
      help: "Time left before an advance is allowed again after a rollback",
      labelNames: rollout,
      registers,
    }),
    /** The per-rollout gauges from one scheduler pass; rollouts no longer seen are dropped. */
    observeDecisions(decisions: readonly TickDecision[]): void {
      for (const gauge of [
        metrics.percent,
        metrics.health,
        metrics.phase,
        metrics.stage,
        metrics.bakeRemaining,
        metrics.cooldownRemaining,
      ])
        gauge.reset();
      for (const { status } of decisions) {
        const labels = { repo: status.repo, rollout: status.rollout };
        metrics.percent.set(labels, status.percent);
        metrics.health.set(labels, HEALTH_VALUE[status.health.status]);
        metrics.stage.set(labels, status.stage);
        for (const phase of PHASES) metrics.phase.set({ ...labels, phase }, status.phase === phase ? 1 : 0);
        const bake = status.bakeRemaining ? parseDuration(status.bakeRemaining.replace(/\s+/g, "")) : 0;
        metrics.bakeRemaining.set(labels, bake ?? 0);
        const until = status.cooldownUntil ? Date.parse(status.cooldownUntil) : Number.NaN;
        metrics.cooldownRemaining.set(
          labels,
          Number.isNaN(until) ? 0 : Math.max(0, (until - now().getTime()) / 1000),
        );
      }
      metrics.lastEvaluation.set(now().getTime() / 1000);
    },
  };
  new Gauge({
    name: "rollout_bot_github_rate_limit_remaining",
    help: "GitHub API requests left in the current window, by resource (from the last response)",
    labelNames: ["resource"],
    registers,
    collect() {
      this.reset();
      for (const [resource, { remaining }] of observe.githubRateLimit?.() ?? [])
        this.set({ resource }, remaining);
    },
  });
  new Gauge({
    name: "rollout_bot_github_rate_limit",
    help: "GitHub API requests allowed in the current window, by resource",
    labelNames: ["resource"],
    registers,
    collect() {
      this.reset();
      for (const [resource, { limit }] of observe.githubRateLimit?.() ?? []) this.set({ resource }, limit);
    },
  });
  new Gauge({
    name: "rollout_bot_slack_outbox_length",
    help: "Slack posts waiting to be re-sent",
    registers,
    collect() {
      this.set(observe.outboxLength?.() ?? 0);
    },
  });
  return metrics;
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;
