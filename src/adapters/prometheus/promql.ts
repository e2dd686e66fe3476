import type { MetricRequest } from "../../core/rollout/metric-request.ts";

/** Turns a MetricRequest into one PromQL expression: baseline arithmetic, then the worst case over a window. */
export function toPromQL(request: MetricRequest): string {
  let expr = `(${request.query})`;
  if (request.baseline) {
    const base = `(${request.baseline.query})`;
    if (request.baseline.compare === "ratio") expr = `${expr} / ${base}`;
    else if (request.baseline.compare === "increase") expr = `${expr} / ${base} - 1`;
    else expr = `${expr} - ${base}`;
  }
  if (request.window) {
    // Subquery resolution: ~300 points over short windows, 15 s at the finest and 5 m at the coarsest,
    // so a days-long stage window neither misses recent data nor asks for too many points.
    const step = Math.min(300, Math.max(15, Math.ceil(request.window.seconds / 300)));
    const range = `(${expr})[${request.window.seconds}s:${step}s]`;
    expr = `${request.window.hold}_over_time(${range})`;
    // min/max_over_time skip the gaps: without this, one minute of data would "hold" for five.
    // 80% of the points lets a missed scrape or two through.
    if (request.window.whole) {
      const needed = Math.ceil(0.8 * Math.floor(request.window.seconds / step));
      expr = `${expr} and count_over_time(${range}) >= ${needed}`;
    }
  }
  return expr;
}
