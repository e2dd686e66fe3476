import { z } from "zod";
import {
  MAX_RANGE_POINTS,
  type MetricRequest,
  type MetricResult,
  type RangeRequest,
  type RangeResult,
  type TimeRange,
} from "../../core/rollout/metric-request.ts";
import type { MetricsSource } from "../../ports.ts";
import { readCapped } from "../http/read-capped.ts";
import { toPromQL } from "./promql.ts";

/**
 * Prometheus HTTP API, instant and range queries. Every failure becomes a reason (yellow), never a green. The
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
const Matrix = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(Sample) }));

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

  /** POSTs a form to the API: the parsed `data`, or the (summarised) reason it could not be had. */
  async #call(
    path: string,
    form: Record<string, string>,
    maxBytes: number,
  ): Promise<{ ok: true; resultType: string; result: unknown } | { ok: false; reason: string }> {
    const base = this.#options.url.replace(/\/$/, "");
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (this.#options.bearerToken) headers.authorization = `Bearer ${this.#options.bearerToken}`;
    else if (this.#options.basicAuth)
      headers.authorization = `Basic ${Buffer.from(this.#options.basicAuth).toString("base64")}`;
    this.queries++;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const fail = (reason: string) => ({ ok: false as const, reason: `${this.name}: ${reason}` });
    // One signal for the request and the body: a source that trickles its answer is cut off too.
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    let status: number;
    try {
      const response = await (this.#options.fetch ?? fetch)(`${base}${path}`, {
        method: "POST",
        headers,
        body: new URLSearchParams(form),
        signal,
        redirect: "error",
      });
      status = response.status;
      const read = await readCapped(response, maxBytes);
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
    return { ok: true, ...parsed.data.data };
  }

  async query(request: MetricRequest, at: Date): Promise<MetricResult> {
    const answer = await this.#call(
      "/api/v1/query",
      { query: toPromQL(request), time: (at.getTime() / 1000).toFixed(3) },
      this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    );
    if (!answer.ok) return answer;
    const { resultType, result } = answer;
    if (resultType === "scalar") {
      const sample = Sample.safeParse(result);
      return sample.success
        ? sampleValue(sample.data[1])
        : { ok: false, reason: `${this.name}: malformed scalar` };
    }
    const vector = Vector.safeParse(result);
    if (resultType !== "vector" || !vector.success)
      return { ok: false, reason: `${this.name}: unexpected ${resultType} result` };
    if (vector.data.length === 0) return { ok: false, reason: "no data" };
    if (vector.data.length > 1) {
      return {
        ok: false,
        reason: `query returned ${vector.data.length} series; aggregate it to one (e.g. sum(...))`,
      };
    }
    return sampleValue(vector.data[0]?.value[1] ?? "NaN");
  }

  async queryRange(request: RangeRequest, range: TimeRange): Promise<RangeResult> {
    // Never more points than a chart can show, whatever range a caller asks for.
    const seconds = (range.end.getTime() - range.start.getTime()) / 1000;
    const step = Math.max(range.stepSeconds, Math.ceil(seconds / MAX_RANGE_POINTS), 1);
    const answer = await this.#call(
      "/api/v1/query_range",
      {
        query: toPromQL({ key: "", ...request }),
        start: (range.start.getTime() / 1000).toFixed(3),
        end: (range.end.getTime() / 1000).toFixed(3),
        step: `${step}s`,
      },
      // A series of at most MAX_RANGE_POINTS samples: a few tens of KiB.
      Math.max(this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, 4 * 1024 * 1024),
    );
    if (!answer.ok) return answer;
    const matrix = Matrix.safeParse(answer.result);
    if (answer.resultType !== "matrix" || !matrix.success)
      return { ok: false, reason: `${this.name}: unexpected ${answer.resultType} result` };
    if (matrix.data.length === 0) return { ok: false, reason: "no data" };
    if (matrix.data.length > 1) {
      return {
        ok: false,
        reason: `query returned ${matrix.data.length} series; aggregate it to one (e.g. sum(...))`,
      };
    }
    const points: [number, number][] = [];
    for (const [t, text] of matrix.data[0]?.values ?? []) {
      const value = Number(text);
      if (Number.isFinite(value)) points.push([t, value]);
    }
    return { ok: true, points };
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
