import { describe, expect, it } from "vitest";
import { chartPlan } from "../../src/core/rollout/chart-plan.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { plan } from "../helpers/plans.ts";

/** The status page's charts: the core picks the series and thresholds the health judgement uses. */
describe("chartPlan", () => {
  const now = new Date("2026-11-22T12:00:00Z");

  it("charts each criterion of the current stage and each trigger, over the stage, with its threshold", () => {
    const file = plan({ state: { percent: 10, phase: "baking", started_at: "2026-11-22T10:00:00Z" } });
    const { range, charts } = chartPlan(file, viewState(file), now);
    expect(range.start.toISOString()).toBe("2026-11-22T10:00:00.000Z");
    expect(range.end).toEqual(now);
    expect(range.stepSeconds).toBe(30); // 2 h / 240 points
    expect(charts.map((c) => [c.id, c.title, c.operator, c.threshold, c.thresholdText])).toEqual([
      ["criterion-0", "error_rate < 1% over the stage", "<", 0.01, "1%"],
      ["trigger-0", "rollback if error_rate > 5% for 5m", ">", 0.05, "5%"],
    ]);
    expect(charts[0]?.series).toEqual([
      { label: "error_rate", role: "judged", request: { metric: "error_rate", query: "errors" } },
    ]);
  });

  it("a relative criterion: the judged comparison, and the metric and its baseline raw", () => {
    const file = plan({ state: { percent: 50, phase: "baking", started_at: "2026-11-22T11:00:00Z" } });
    const [criterion] = chartPlan(file, viewState(file), now).charts;
    expect(criterion?.title).toBe("p99 vs baseline_p99 (increase) < +5%");
    expect(criterion?.series.map((s) => [s.role, s.label, s.request])).toEqual([
      [
        "judged",
        "p99 vs baseline_p99",
        {
          metric: "p99",
          query: "p99",
          baseline: { metric: "baseline_p99", query: "legacy_p99", compare: "increase" },
        },
      ],
      ["metric", "p99", { metric: "p99", query: "p99" }],
      ["baseline", "baseline_p99", { metric: "baseline_p99", query: "legacy_p99" }],
    ]);
  });

  it("nothing to chart at 0%; the last hour when the stage start is unknown", () => {
    const pending = plan({ state: { percent: 0 } });
    expect(chartPlan(pending, viewState(pending), now).charts).toEqual([]);
    const unknown = plan({ state: { percent: 10, phase: "baking" } });
    const { range } = chartPlan(unknown, viewState(unknown), now);
    expect(now.getTime() - range.start.getTime()).toBe(3_600_000);
  });
});
