import { describe, expect, it } from "vitest";
import { toPromQL } from "../../src/adapters/prometheus/promql.ts";
import type { MetricRequest } from "../../src/core/rollout/metric-request.ts";

/**
 * The PromQL text. What it evaluates to is pinned against a real Prometheus in
 * test/e2e/prometheus-promql.test.ts; here, what Prometheus cannot show at two window lengths: the
 * subquery step over the lengths stages really have, and that user queries keep their precedence.
 */

const request = (window?: MetricRequest["window"], baseline?: MetricRequest["baseline"]): MetricRequest => {
  const r: MetricRequest = { key: "k", metric: "m", query: "a or b" };
  if (window) r.window = window;
  if (baseline) r.baseline = baseline;
  return r;
};

describe("toPromQL", () => {
  it("wraps each query so its own operators bind first", () => {
    const base = { metric: "b", query: "c or d" };
    expect(toPromQL(request())).toBe("(a or b)");
    expect(toPromQL(request(undefined, { ...base, compare: "ratio" }))).toBe("(a or b) / (c or d)");
    expect(toPromQL(request(undefined, { ...base, compare: "increase" }))).toBe("(a or b) / (c or d) - 1");
    expect(toPromQL(request(undefined, { ...base, compare: "difference" }))).toBe("(a or b) - (c or d)");
    expect(toPromQL(request({ seconds: 300, hold: "min" }, { ...base, compare: "increase" }))).toBe(
      "min_over_time(((a or b) / (c or d) - 1)[300s:15s])",
    );
  });

  it.each([
    [60, 15],
    [300, 15],
    [4500, 15], // 300 points of 15 s
    [4501, 16],
    [7200, 24], // a 2 h stage: ~300 points
    [90_000, 300], // 300 points of 5 m
    [604_800, 300], // a 7-day stage: 2016 points, never coarser than 5 m
  ])("steps a %d s window by %d s: ~300 points, between 15 s and 5 m", (seconds, step) => {
    expect(toPromQL(request({ seconds, hold: "max" }))).toBe(
      `max_over_time(((a or b))[${seconds}s:${step}s])`,
    );
  });

  it("answers a `for: <duration>` window only when data covers 80% of its points", () => {
    expect(toPromQL(request({ seconds: 300, hold: "min", whole: true }))).toBe(
      "min_over_time(((a or b))[300s:15s]) and count_over_time(((a or b))[300s:15s]) >= 16",
    );
    expect(toPromQL(request({ seconds: 7200, hold: "max", whole: true }))).toBe(
      "max_over_time(((a or b))[7200s:24s]) and count_over_time(((a or b))[7200s:24s]) >= 240",
    );
  });
});
