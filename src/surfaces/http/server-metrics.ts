import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The bot's own Prometheus metrics, served at GET /metrics. One registry per server (tests run several). */
export function createServerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "rollout_bot_" });
  return {
    registry,
    httpRequests: new Histogram({
      name: "rollout_bot_http_request_duration_seconds",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    alerts: new Counter({
      name: "rollout_bot_alerts_total",
      help: "Alerts received, by source and result",
      labelNames: ["source", "result"],
      registers: [registry],
    }),
    evaluations: new Counter({
      name: "rollout_bot_evaluations_total",
      help: "Rollout evaluations by the scheduler, by decision",
      labelNames: ["action"],
      registers: [registry],
    }),
  };
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;
