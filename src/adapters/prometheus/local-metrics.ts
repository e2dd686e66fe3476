import { readFileSync } from "node:fs";
import { type MetricsResolver, metricsResolver } from "./metrics-sources.ts";
import { loadMetricsSources } from "./metrics-sources-config.ts";

/**
 * Metrics for the CLI and the Action, which run with their user's own environment: PROMETHEUS_URL and
 * METRICS_SOURCES as on the server (no `owners`: one user), and, only when the user opts in with
 * --allow-repo-metrics-url, a URL from the rollout file fed ROLLOUT_METRICS_* variables only.
 */
export function localMetrics(
  env: NodeJS.ProcessEnv,
  options: { repoMetricsUrls: boolean; fetch?: typeof fetch },
): { ok: true; metrics: MetricsResolver } | { ok: false; problems: string[] } {
  const loaded = loadMetricsSources(env, (path) => readFileSync(path, "utf8"));
  if (!loaded.ok) return loaded;
  const metrics = metricsResolver(loaded.definitions, {
    enforceOwners: false,
    ...(options.repoMetricsUrls ? { repoUrls: { env } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { ok: true, metrics };
}
