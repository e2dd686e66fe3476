import {
  MAX_RANGE_POINTS,
  type MetricRequest,
  type MetricResult,
  type RangeRequest,
  type RangeResult,
  type TimeRange,
} from "../../core/rollout/metric-request.ts";
import type { MetricsSource } from "../../ports.ts";

/** Metrics computed from functions of time, for the demo and tests: the same request semantics as PromQL. */

export type Series = (at: Date) => number | undefined;

export class SimulatedMetrics implements MetricsSource {
  readonly name = "simulated";
  readonly #series: Map<string, Series>;
  queries = 0;

  constructor(series: Record<string, Series>) {
    this.#series = new Map(Object.entries(series));
  }

  set(metric: string, series: Series): void {
    this.#series.set(metric, series);
  }

  #point(request: RangeRequest, at: Date): number | undefined {
    const main = this.#series.get(request.metric)?.(at);
    if (main === undefined || !request.baseline) return main;
    const base = this.#series.get(request.baseline.metric)?.(at);
    if (base === undefined) return undefined;
    if (request.baseline.compare === "ratio") return main / base;
    if (request.baseline.compare === "increase") return main / base - 1;
    return main - base;
  }

  async query(request: MetricRequest, at: Date): Promise<MetricResult> {
    this.queries++;
    if (!request.window) {
      const value = this.#point(request, at);
      return value === undefined ? { ok: false, reason: "no data" } : { ok: true, value };
    }
    // Sample the window like a subquery and keep the worst case.
    const points = 60;
    const values: number[] = [];
    for (let i = 0; i <= points; i++) {
      const t = new Date(at.getTime() - (request.window.seconds * 1000 * i) / points);
      const value = this.#point(request, t);
      if (value !== undefined) values.push(value);
    }
    if (values.length === 0) return { ok: false, reason: "no data" };
    return { ok: true, value: request.window.hold === "max" ? Math.max(...values) : Math.min(...values) };
  }

  /** Samples like `query_range`: one point per step from start to end, the same cap on points. */
  async queryRange(request: RangeRequest, range: TimeRange): Promise<RangeResult> {
    this.queries++;
    const startMs = range.start.getTime();
    const spanMs = range.end.getTime() - startMs;
    const stepMs = Math.max(range.stepSeconds * 1000, Math.ceil(spanMs / MAX_RANGE_POINTS), 1000);
    const points: [number, number][] = [];
    for (let t = startMs; t <= range.end.getTime(); t += stepMs) {
      const value = this.#point(request, new Date(t));
      if (value !== undefined && Number.isFinite(value)) points.push([t / 1000, value]);
    }
    return points.length === 0 ? { ok: false, reason: "no data" } : { ok: true, points };
  }
}
