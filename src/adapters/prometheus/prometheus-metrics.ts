import { z } from "zod";
import type { MetricRequest, MetricResult } from "../../core/rollout/metric-request.ts";
import type { MetricsSource } from "../../ports.ts";
import { toPromQL } from "./promql.ts";
import { readCapped } from "./read-capped.ts";

/**
 * Prometheus HTTP API, instant queries. Every failure becomes a reason (yellow), never a green. The
 * reasons are summaries ("answered HTTP 5xx", "timed out"), never the source's own text: a tenant
 * sees them, and an answer can carry other tenants' label values or, from a URL a repo chose, whatever
 * a port on the server's network says.
 */

const QueryResponse = z.object({
  status: z.enum(["success", "error"]),
  errorType: z.string().optional(),
  data: z
    .object({
      resultType: z.enum(["vector", "scalar", "matrix", "string"]),
      result: z.unknown(),
    })
    .optional(),
});
const Sample = z.tuple([z.number(), z.string()]);
const Vector = z.array(z.object({ metric: z.record(z.string(), z.string()), value: Sample }));

/** Prometheus' own error types: safe to repeat, unlike its error text. */
const ERROR_TYPES = new Set(["bad_data", "execution", "timeout", "canceled", "internal", "unavailable"]);

export const DEFAULT_TIMEOUT_MS = 10_000;
/** An instant query's answer is one sample; 1 MiB leaves room for any honest answer. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface PrometheusOptions {
  /** How users know the source: its name (`default`, `prod-eu`), never its URL. */
  name?: string;
  url: string;
  bearerToken?: string | undefined;
  /** `user:password` */
  basicAuth?: string | undefined;
  timeoutMs?: number;
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

export class PrometheusMetrics implements MetricsSource {
  readonly name: string;
  readonly #options: PrometheusOptions;
  /** Queries sent, for the "queries per evaluation" figure. */
  queries = 0;

  constructor(options: PrometheusOptions) {
    this.#options = options;
    this.name = `metrics source ${options.name ?? "default"}`;
  }

  async query(request: MetricRequest, at: Date): Promise<MetricResult> {
    const base = this.#options.url.replace(/\/$/, "");
    const body = new URLSearchParams({ query: toPromQL(request), time: (at.getTime() / 1000).toFixed(3) });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (this.#options.bearerToken) headers.authorization = `Bearer ${this.#options.bearerToken}`;
    else if (this.#options.basicAuth)
      headers.authorization = `Basic ${Buffer.from(this.#options.basicAuth).toString("base64")}`;
    this.queries++;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const fail = (reason: string): MetricResult => ({ ok: false, reason: `${this.name}: ${reason}` });
    // One signal for the request and the body: a source that trickles its answer is cut off too.
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    let status: number;
    try {
      const response = await (this.#options.fetch ?? fetch)(`${base}/api/v1/query`, {
        method: "POST",
        headers,
        body,
        signal,
        redirect: "error",
      });
      status = response.status;
      const read = await readCapped(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      if (!read.ok) return fail(`answer larger than ${read.limit} bytes`);
      text = read.text;
    } catch {
      return fail(signal.aborted ? `timed out after ${timeoutMs / 1000}s` : "unreachable");
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = QueryResponse.safeParse(json);
    if (!parsed.success) return fail(`answered HTTP ${statusClass(status)} with an unexpected body`);
    if (parsed.data.status === "error" || !parsed.data.data) {
      const type = parsed.data.errorType;
      const kind = type && ERROR_TYPES.has(type) ? ` (${type})` : "";
      return fail(`refused the query${kind}, HTTP ${statusClass(status)}: check its PromQL`);
    }
    const { resultType, result } = parsed.data.data;
    if (resultType === "scalar") {
      const sample = Sample.safeParse(result);
      return sample.success ? sampleValue(sample.data[1]) : fail("malformed scalar");
    }
    const vector = Vector.safeParse(result);
    if (resultType !== "vector" || !vector.success) return fail(`unexpected ${resultType} result`);
    if (vector.data.length === 0) return { ok: false, reason: "no data" };
    if (vector.data.length > 1) {
      return {
        ok: false,
        reason: `query returned ${vector.data.length} series; aggregate it to one (e.g. sum(...))`,
      };
    }
    return sampleValue(vector.data[0]?.value[1] ?? "NaN");
  }
}

/** `2xx`, `4xx`, `5xx`: enough to act on, too little to fingerprint what answered. */
function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "?";
}

function sampleValue(text: string): MetricResult {
  const value = Number(text);
  return Number.isFinite(value)
    ? { ok: true, value }
    : { ok: false, reason: `no usable value (${/^[\w.+-]{1,12}$/.test(text) ? text : "not a number"})` };
}
