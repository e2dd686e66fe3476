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
import { toPromQL } from "./promql.ts";

/** Prometheus HTTP API, instant and range queries. Every failure becomes a reason (yellow), never a green. */

const QueryResponse = z.object({
  status: z.enum(["success", "error"]),
  error: z.string().optional(),
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

export interface PrometheusOptions {
  url: string;
  bearerToken?: string | undefined;
  /** `user:password` */
  basicAuth?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class PrometheusMetrics implements MetricsSource {
  readonly name: string;
  readonly #options: PrometheusOptions;
  /** Queries sent, for the "queries per evaluation" figure. */
  queries = 0;

  constructor(options: PrometheusOptions) {
    this.#options = options;
    // Never keep credentials in the name: it is logged and shown to users.
    const url = new URL(options.url);
    url.username = "";
    url.password = "";
    this.name = `prometheus ${url.origin}${url.pathname.replace(/\/$/, "")}`;
  }

  /** POSTs a form to the API; the parsed `data`, or the reason it could not be had. */
  async #call(
    path: string,
    form: Record<string, string>,
  ): Promise<{ ok: true; resultType: string; result: unknown } | { ok: false; reason: string }> {
    const base = this.#options.url.replace(/\/$/, "");
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (this.#options.bearerToken) headers.authorization = `Bearer ${this.#options.bearerToken}`;
    else if (this.#options.basicAuth)
      headers.authorization = `Basic ${Buffer.from(this.#options.basicAuth).toString("base64")}`;
    this.queries++;
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(`${base}${path}`, {
        method: "POST",
        headers,
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      return {
        ok: false,
        reason: name === "TimeoutError" ? "Prometheus timed out" : "Prometheus unreachable",
      };
    }
    const parsed = QueryResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      return { ok: false, reason: `Prometheus answered ${response.status} with an unexpected body` };
    if (parsed.data.status === "error" || !parsed.data.data) {
      return {
        ok: false,
        reason: `Prometheus error: ${(parsed.data.error ?? `HTTP ${response.status}`).slice(0, 200)}`,
      };
    }
    return { ok: true, ...parsed.data.data };
  }

  async query(request: MetricRequest, at: Date): Promise<MetricResult> {
    const answer = await this.#call("/api/v1/query", {
      query: toPromQL(request),
      time: (at.getTime() / 1000).toFixed(3),
    });
    if (!answer.ok) return answer;
    const { resultType, result } = answer;
    if (resultType === "scalar") {
      const sample = Sample.safeParse(result);
      return sample.success ? sampleValue(sample.data[1]) : { ok: false, reason: "malformed scalar" };
    }
    const vector = Vector.safeParse(result);
    if (resultType !== "vector" || !vector.success)
      return { ok: false, reason: `unexpected ${resultType} result` };
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
    const answer = await this.#call("/api/v1/query_range", {
      query: toPromQL({ key: "", ...request }),
      start: (range.start.getTime() / 1000).toFixed(3),
      end: (range.end.getTime() / 1000).toFixed(3),
      step: `${step}s`,
    });
    if (!answer.ok) return answer;
    const matrix = Matrix.safeParse(answer.result);
    if (answer.resultType !== "matrix" || !matrix.success)
      return { ok: false, reason: `unexpected ${answer.resultType} result` };
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

function sampleValue(text: string): MetricResult {
  const value = Number(text);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: `no usable value (${text})` };
}
