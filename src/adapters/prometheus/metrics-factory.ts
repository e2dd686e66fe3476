import type { MetricsSourceConfig } from "../../core/config/schema-parts.ts";
import type { MetricsSource } from "../../ports.ts";
import { PrometheusMetrics } from "./prometheus-metrics.ts";

/**
 * Resolves a rollout's metrics source from env: its `url` or `url_env`, else PROMETHEUS_URL, with
 * credentials only ever read from the env vars the file names (or PROMETHEUS_BEARER_TOKEN /
 * PROMETHEUS_BASIC_AUTH for the default). One client per distinct source.
 */
export function prometheusFromEnv(
  env: NodeJS.ProcessEnv,
  fetchImpl?: typeof fetch,
): (config: MetricsSourceConfig | undefined) => MetricsSource | undefined {
  const cache = new Map<string, MetricsSource>();
  return (config) => {
    const url = config?.url ?? (config?.url_env ? env[config.url_env] : undefined) ?? env.PROMETHEUS_URL;
    if (!url) return undefined;
    const bearerToken = config?.bearer_token_env ? env[config.bearer_token_env] : env.PROMETHEUS_BEARER_TOKEN;
    const basicAuth = config?.basic_auth_env ? env[config.basic_auth_env] : env.PROMETHEUS_BASIC_AUTH;
    const timeoutMs = (config?.timeout ?? 10) * 1000;
    const key = JSON.stringify([url, bearerToken, basicAuth, timeoutMs]);
    let source = cache.get(key);
    if (!source) {
      source = new PrometheusMetrics({
        url,
        bearerToken,
        basicAuth,
        timeoutMs,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });
      cache.set(key, source);
    }
    return source;
  };
}
