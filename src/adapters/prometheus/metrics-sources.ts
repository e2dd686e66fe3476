import {
  MAX_METRICS_TIMEOUT_SECONDS,
  type MetricsSourceRef,
  REPO_METRICS_ENV_PREFIX,
  type RepoMetricsUrl,
} from "../../core/config/schema-parts.ts";
import type {
  MetricRequest,
  MetricResult,
  RangeRequest,
  RangeResult,
  TimeRange,
} from "../../core/rollout/metric-request.ts";
import type { MetricsSource } from "../../ports.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, PrometheusMetrics } from "./prometheus-metrics.ts";

/**
 * The metrics sources the operator defines (PROMETHEUS_URL is `default`, more in METRICS_SOURCES), and
 * the resolver commands use: a repository names a source and gets it if the source's `owners` allow
 * that repository's owner. Nothing a repository writes chooses a URL or a credential on the server.
 */

export interface SourceDefinition {
  name: string;
  url: string;
  bearerToken?: string | undefined;
  basicAuth?: string | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Repository owners (lower case) that may use it; undefined: every repository the bot serves. */
  owners?: readonly string[] | undefined;
}

export type MetricsResolver = (
  repo: string,
  source: MetricsSourceRef | undefined,
) => MetricsSource | undefined;

export interface ResolverOptions {
  /** The server limits sources to their `owners`; the CLI and the Action run for their user alone. */
  enforceOwners: boolean;
  /**
   * The CLI and the Action, opted in (--allow-repo-metrics-url): a URL in the repository file is used,
   * with credentials only from ROLLOUT_METRICS_* variables of this environment.
   */
  repoUrls?: { env: NodeJS.ProcessEnv } | undefined;
  fetch?: typeof fetch;
}

/** Answers every query with why the source is refused: health turns yellow with the reason. */
export class RefusedMetrics implements MetricsSource {
  readonly name = "refused metrics source";
  readonly #reason: string;
  constructor(reason: string) {
    this.#reason = reason;
  }
  async query(_request: MetricRequest, _at: Date): Promise<MetricResult> {
    return { ok: false, reason: this.#reason };
  }
  async queryRange(_request: RangeRequest, _range: TimeRange): Promise<RangeResult> {
    return { ok: false, reason: this.#reason };
  }
}

const REPO_URL_SOURCES = 32;

export function metricsResolver(definitions: SourceDefinition[], options: ResolverOptions): MetricsResolver {
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const sources = new Map(
    definitions.map((d) => [
      d.name,
      {
        definition: d,
        source: new PrometheusMetrics({
          name: d.name,
          url: d.url,
          bearerToken: d.bearerToken,
          basicAuth: d.basicAuth,
          timeoutMs: d.timeoutMs,
          maxResponseBytes: d.maxResponseBytes,
          ...fetchOption,
        }),
      },
    ]),
  );
  const allowed = (repo: string, d: SourceDefinition) =>
    !options.enforceOwners || d.owners === undefined || d.owners.includes(ownerOf(repo));
  const repoUrlSources = new Map<string, MetricsSource>();
  return (repo, ref) => {
    if (typeof ref === "object") {
      if (!options.repoUrls)
        return new RefusedMetrics(
          "metrics.source holds a URL: name a metrics source the operator defines instead",
        );
      return repoUrlSource(ref, options.repoUrls.env, repoUrlSources, fetchOption);
    }
    const name = ref ?? "default";
    const entry = sources.get(name);
    if (entry && allowed(repo, entry.definition)) return entry.source;
    if (!entry && ref === undefined) return undefined;
    const usable = [...sources.values()]
      .filter((e) => allowed(repo, e.definition))
      .map((e) => e.definition.name);
    return new RefusedMetrics(
      `no metrics source '${name}' for ${repo} (it may use: ${usable.join(", ") || "none"}; the operator defines sources)`,
    );
  };
}

function ownerOf(repo: string): string {
  const slash = repo.indexOf("/");
  return slash > 0 ? repo.slice(0, slash).toLowerCase() : "";
}

/** The opted-in CLI or Action: a source from the repository file, fed only ROLLOUT_METRICS_* variables. */
function repoUrlSource(
  ref: RepoMetricsUrl,
  env: NodeJS.ProcessEnv,
  cache: Map<string, MetricsSource>,
  fetchOption: { fetch?: typeof fetch },
): MetricsSource {
  const named = (key: "url_env" | "bearer_token_env" | "basic_auth_env") => {
    const name = ref[key];
    if (name === undefined) return { ok: true as const, value: undefined };
    if (!name.startsWith(REPO_METRICS_ENV_PREFIX))
      return {
        ok: false as const,
        reason: `metrics.source.${key} must name a ${REPO_METRICS_ENV_PREFIX}* variable`,
      };
    return { ok: true as const, value: env[name] || undefined };
  };
  const urlEnv = named("url_env");
  const bearer = named("bearer_token_env");
  const basic = named("basic_auth_env");
  for (const part of [urlEnv, bearer, basic]) if (!part.ok) return new RefusedMetrics(part.reason);
  const url = ref.url ?? (urlEnv.ok ? urlEnv.value : undefined);
  if (!url) return new RefusedMetrics(`metrics.source names ${ref.url_env ?? "no URL"}, which is not set`);
  const timeoutMs = Math.min(ref.timeout ?? DEFAULT_TIMEOUT_MS / 1000, MAX_METRICS_TIMEOUT_SECONDS) * 1000;
  const options = {
    name: "from the rollout file",
    url,
    bearerToken: bearer.ok ? bearer.value : undefined,
    basicAuth: basic.ok ? basic.value : undefined,
    timeoutMs,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    ...fetchOption,
  };
  const key = JSON.stringify([url, options.bearerToken, options.basicAuth, timeoutMs]);
  let source = cache.get(key);
  if (!source) {
    if (cache.size >= REPO_URL_SOURCES) cache.clear();
    source = new PrometheusMetrics(options);
    cache.set(key, source);
  }
  return source;
}
