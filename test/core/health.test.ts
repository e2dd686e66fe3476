import { describe, expect, it } from "vitest";
import { judgeHealth, metricRequests } from "../../src/core/rollout/health.ts";
import type { MetricResult } from "../../src/core/rollout/metric-request.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { plan } from "../helpers/plans.ts";

const now = new Date("2026-11-22T12:00:00Z");
const at10 = plan({ state: { percent: 10, phase: "baking", started_at: "2026-11-22T10:00:00Z" } });

function results(file = at10, values: Record<string, number | string>): Map<string, MetricResult> {
  const map = new Map<string, MetricResult>();
  for (const r of metricRequests(file, viewState(file), now)) {
    const v = values[r.metric];
    if (v === undefined) continue;
    map.set(r.key, typeof v === "number" ? { ok: true, value: v } : { ok: false, reason: v });
  }
  return map;
}

describe("metricRequests", () => {
  it("asks for the stage's criteria over the stage and the triggers over their window, each once", () => {
    const requests = metricRequests(at10, viewState(at10), now);
    expect(requests.map((r) => [r.metric, r.window])).toEqual([
      ["error_rate", { seconds: 7200, hold: "max" }],
      ["error_rate", { seconds: 300, hold: "min", whole: true }],
    ]);
  });
  it("asks nothing at 0%", () => {
    const file = plan();
    expect(metricRequests(file, viewState(file), now)).toEqual([]);
  });
  it("carries the baseline for relative criteria", () => {
    const file = plan({ state: { percent: 50, started_at: "2026-11-22T11:00:00Z" } });
    const [relative] = metricRequests(file, viewState(file), now);
    expect(relative).toMatchObject({
      metric: "p99",
      baseline: { metric: "baseline_p99", compare: "increase" },
    });
    expect(relative?.window).toBeUndefined();
  });
});

describe("judgeHealth", () => {
  it("is green with a reason per criterion and trigger when all hold", () => {
    const report = judgeHealth({
      file: at10,
      view: viewState(at10),
      now,
      results: results(at10, { error_rate: 0.004 }),
    });
    expect(report.status).toBe("green");
    expect(report.reasons.map((r) => r.text)).toEqual([
      "error_rate 0.4% (< 1% over the stage (2h))",
      "error_rate 0.4% (rollback if > 5% for 5m)",
    ]);
    expect(report.reasons.every((r) => r.pass)).toBe(true);
  });
  it("is yellow when a criterion is missed", () => {
    const report = judgeHealth({
      file: at10,
      view: viewState(at10),
      now,
      results: results(at10, { error_rate: 0.02 }),
    });
    expect(report.status).toBe("yellow");
    expect(report.reasons[0]).toMatchObject({
      kind: "criterion",
      pass: false,
      value: 0.02,
      threshold: 0.01,
      valueText: "2%",
    });
  });
  it("is red when a trigger holds, naming it", () => {
    const report = judgeHealth({
      file: at10,
      view: viewState(at10),
      now,
      results: results(at10, { error_rate: 0.07 }),
    });
    expect(report.status).toBe("red");
    expect(report.reasons[1]?.text).toBe("error_rate 7% > 5% for 5m — rollback trigger");
  });
  it("is never green without data: missing and failed queries are yellow with the reason", () => {
    const none = judgeHealth({ file: at10, view: viewState(at10), now, results: new Map() });
    expect(none.status).toBe("yellow");
    expect(none.reasons[0]?.text).toBe("error_rate < 1% over the stage (2h): no data");
    const failed = judgeHealth({
      file: at10,
      view: viewState(at10),
      now,
      results: results(at10, { error_rate: "Prometheus unreachable" }),
    });
    expect(failed.reasons.map((r) => r.text)).toContain(
      "rollback if error_rate > 5% for 5m: Prometheus unreachable",
    );
  });
  it("treats NaN as no data", () => {
    const map = results(at10, { error_rate: Number.NaN });
    expect(judgeHealth({ file: at10, view: viewState(at10), now, results: map }).status).toBe("yellow");
  });
  it("colours alerts: critical red, warning yellow", () => {
    const base = { file: at10, view: viewState(at10), now, results: results(at10, { error_rate: 0.001 }) };
    expect(judgeHealth({ ...base, alerts: [{ name: "HighErrors", severity: "critical" }] }).status).toBe(
      "red",
    );
    const warn = judgeHealth({ ...base, alerts: [{ name: "Slow", severity: "warning", summary: "p99 up" }] });
    expect(warn.status).toBe("yellow");
    expect(warn.reasons.at(-1)?.text).toBe("warning alert Slow firing: p99 up");
  });
  it("judges relative criteria as an increase over the baseline", () => {
    const file = plan({ state: { percent: 50, started_at: "2026-11-22T11:00:00Z" } });
    const view = viewState(file);
    const map = new Map<string, MetricResult>();
    const [relative, trigger] = metricRequests(file, view, now);
    map.set(relative!.key, { ok: true, value: 0.08 });
    map.set(trigger!.key, { ok: true, value: 0.001 });
    const report = judgeHealth({ file, view, now, results: map });
    expect(report.status).toBe("yellow");
    expect(report.reasons[0]?.text).toBe("p99 vs baseline_p99 (increase) +8% (< +5% now)");
  });
  it("is green at 0% with the reason that no traffic flows", () => {
    const file = plan();
    const report = judgeHealth({ file, view: viewState(file), now, results: new Map() });
    expect(report).toEqual({
      status: "green",
      reasons: [{ kind: "info", status: "green", pass: true, text: "0%: no traffic on the new version" }],
    });
  });
  it("passes a firing trigger's own rollback target on", () => {
    const file = plan({
      state: { percent: 50 },
      rollback: { triggers: [{ metric: "error_rate", above: "20%", to: 0 }] },
    });
    const view = viewState(file);
    const [, trigger] = metricRequests(file, view, now);
    const map = new Map<string, MetricResult>([[trigger!.key, { ok: true, value: 0.5 }]]);
    const report = judgeHealth({ file, view, now, results: map });
    expect(report.reasons.find((r) => r.kind === "trigger")?.rollbackTo).toBe(0);
  });
});
