import { z } from "zod";
import {
  EnvName,
  MAX_METRICS_TIMEOUT_SECONDS,
  METRICS_SOURCE_NAME,
  MetricsTimeout,
} from "../../core/config/schema-parts.ts";
import { formatDiagnostic, parseWithSchema } from "../../core/config/yaml-diagnostics.ts";
import type { SourceDefinition } from "./metrics-sources.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from "./prometheus-metrics.ts";

/**
 * The operator's metrics sources: PROMETHEUS_URL (+ PROMETHEUS_BEARER_TOKEN or PROMETHEUS_BASIC_AUTH,
 * PROMETHEUS_OWNERS) is the source `default`; METRICS_SOURCES names a YAML file with more:
 *
 *   sources:
 *     prod-eu:
 *       url: https://prometheus.eu.internal:9090
 *       bearer_token_env: PROM_EU_TOKEN   # credentials by env var name
 *       timeout: 10s                      # at most 60s; default 10s
 *       owners: [acme, acme-labs]         # only these repository owners; omitted: every repository
 */

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

const OperatorSource = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).refine((url) => !/^\w+:\/\/[^/]*@/.test(url), {
      message: "no credentials in the URL: name an env var in bearer_token_env or basic_auth_env",
    }),
    bearer_token_env: EnvName.optional(),
    basic_auth_env: EnvName.optional().meta({ description: "Env var holding `user:password`." }),
    timeout: MetricsTimeout.optional(),
    max_response_bytes: z.int().min(1024).max(MAX_RESPONSE_BYTES).optional(),
    owners: z
      .array(z.string().regex(OWNER, "expected a GitHub owner (user or organisation) name"))
      .min(1)
      .optional(),
  })
  .refine((s) => !(s.bearer_token_env && s.basic_auth_env), {
    message: "use bearer_token_env or basic_auth_env, not both",
  });

export const MetricsSourcesFile = z.strictObject({
  sources: z.record(
    z.string().regex(METRICS_SOURCE_NAME, "source names are lowercase letters, digits, - and _"),
    OperatorSource,
  ),
});

export type LoadedSources = { ok: true; definitions: SourceDefinition[] } | { ok: false; problems: string[] };

/** Never echoes a value: env vars and the file may hold secrets. */
export function loadMetricsSources(
  env: NodeJS.ProcessEnv,
  readText: (path: string) => string,
): LoadedSources {
  const problems: string[] = [];
  const definitions: SourceDefinition[] = [];
  if (env.PROMETHEUS_URL) {
    if (env.PROMETHEUS_BEARER_TOKEN && env.PROMETHEUS_BASIC_AUTH)
      problems.push("PROMETHEUS_BEARER_TOKEN and PROMETHEUS_BASIC_AUTH: set one, not both");
    const owners = env.PROMETHEUS_OWNERS?.split(",")
      .map((o) => o.trim().toLowerCase())
      .filter(Boolean);
    if (owners?.some((o) => !OWNER.test(o)))
      problems.push("PROMETHEUS_OWNERS: expected GitHub owner names separated by commas");
    definitions.push({
      name: "default",
      url: env.PROMETHEUS_URL,
      bearerToken: env.PROMETHEUS_BEARER_TOKEN || undefined,
      basicAuth: env.PROMETHEUS_BASIC_AUTH || undefined,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
      ...(owners && owners.length > 0 ? { owners } : {}),
    });
  }
  const path = env.METRICS_SOURCES;
  if (path) {
    let text: string;
    try {
      text = readText(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      return { ok: false, problems: [...problems, `METRICS_SOURCES: cannot read ${path} (${code})`] };
    }
    const parsed = parseWithSchema(path, text, MetricsSourcesFile);
    if (!parsed.ok)
      return { ok: false, problems: [...problems, ...parsed.diagnostics.map(formatDiagnostic)] };
    for (const [name, source] of Object.entries(parsed.value.sources)) {
      if (definitions.some((d) => d.name === name)) {
        problems.push(`${path}: source '${name}' is also PROMETHEUS_URL: define it in one place`);
        continue;
      }
      const secret = (key: "bearer_token_env" | "basic_auth_env") => {
        const variable = source[key];
        if (variable === undefined) return undefined;
        const value = env[variable];
        if (!value) problems.push(`${path}: sources.${name}.${key} names ${variable}, which is not set`);
        return value || undefined;
      };
      definitions.push({
        name,
        url: source.url,
        bearerToken: secret("bearer_token_env"),
        basicAuth: secret("basic_auth_env"),
        timeoutMs: Math.min(source.timeout ?? DEFAULT_TIMEOUT_MS / 1000, MAX_METRICS_TIMEOUT_SECONDS) * 1000,
        maxResponseBytes: source.max_response_bytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        ...(source.owners ? { owners: source.owners.map((o) => o.toLowerCase()) } : {}),
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, definitions };
}
