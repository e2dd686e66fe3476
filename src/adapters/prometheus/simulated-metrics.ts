import type { MetricRequest, MetricResult } from "../../core/rollout/metric-request.ts";
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

  #point(request: MetricRequest, at: Date): number | undefined {
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
}
