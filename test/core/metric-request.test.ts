import { describe, expect, it } from "vitest";
import { metricRequests } from "../../src/core/rollout/health.ts";
import type { Condition } from "../../src/core/rollout/metric-request.ts";
import { holdFor, requestFor, windowFor } from "../../src/core/rollout/metric-request.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { plan } from "../helpers/plans.ts";

/** What the core asks a metrics source for: the window, which worst case holds it, and one key each. */

const c = (fields: Partial<Condition>): Condition => ({ metric: "error_rate", ...fields }) as Condition;

describe("holdFor", () => {
  it("holds below/at_most by the window's maximum and above/at_least by its minimum", () => {
    expect(holdFor(c({ below: 0.01 }))).toBe("max");
    expect(holdFor(c({ at_most: 0.01 }))).toBe("max");
    expect(holdFor(c({ above: 0.05 }))).toBe("min");
    expect(holdFor(c({ at_least: 100 }))).toBe("min");
  });
});

describe("windowFor", () => {
  it("is now without `for` or with a zero duration", () => {
    expect(windowFor(c({ below: 1 }), 7200)).toBeUndefined();
    expect(windowFor(c({ below: 1, for: 0 }), 7200)).toBeUndefined();
    expect(windowFor(c({ below: 1 }), undefined)).toBeUndefined();
  });
  it("is the duration for `for: <duration>` once the stage is that old, clipped to the stage before", () => {
    expect(windowFor(c({ below: 1, for: 300 }), 7200)).toEqual({ seconds: 300, full: true });
    expect(windowFor(c({ below: 1, for: 300 }), 300)).toEqual({ seconds: 300, full: true });
    expect(windowFor(c({ below: 1, for: 300 }), 299.9)).toEqual({ seconds: 299, full: false });
    expect(windowFor(c({ below: 1, for: 300 }), 120)).toEqual({ seconds: 120, full: false });
    // A stage just started still asks for a window (of a second), never for one before it.
    expect(windowFor(c({ below: 1, for: 300 }), 0)).toEqual({ seconds: 1, full: false });
  });
  it("is the stage's age in whole seconds for `for: stage`, always full", () => {
    expect(windowFor(c({ below: 1, for: "stage" }), 7200.9)).toEqual({ seconds: 7200, full: true });
    expect(windowFor(c({ below: 1, for: "stage" }), 59)).toEqual({ seconds: 59, full: true });
    expect(windowFor(c({ below: 1, for: "stage" }), 0)).toEqual({ seconds: 1, full: true });
  });
  it("is the window as written when the stage start is unknown (a minute for `for: stage`)", () => {
    expect(windowFor(c({ below: 1, for: 300 }), undefined)).toEqual({ seconds: 300, full: true });
    expect(windowFor(c({ below: 1, for: "stage" }), undefined)).toEqual({ seconds: 60, full: true });
  });
});

describe("requestFor", () => {
  const file = plan({
    metrics: {
      queries: {
        error_rate: { query: "sum(rate(errors[5m]))", unit: "fraction" },
        p99: "histogram_quantile(0.99, new)",
        legacy_p99: { query: "histogram_quantile(0.99, old)" },
      },
    },
    stages: [{ percent: 10 }, { percent: 100 }],
  });

  it("carries the query text, the baseline with its compare, and the window clipped to the stage", () => {
    const condition = c({ metric: "p99", vs: "legacy_p99", compare: "ratio", above: 2, for: 600 });
    const request = requestFor(file, condition, 3600);
    expect(request).toEqual({
      key: expect.any(String),
      metric: "p99",
      query: "histogram_quantile(0.99, new)",
      baseline: { metric: "legacy_p99", query: "histogram_quantile(0.99, old)", compare: "ratio" },
      window: { seconds: 600, hold: "min", whole: true },
    });
    expect(requestFor(file, condition, 120).window).toEqual({ seconds: 120, hold: "min", whole: true });
    expect(requestFor(file, c({ below: 0.01 }), 0)).toEqual({
      key: expect.any(String),
      metric: "error_rate",
      query: "sum(rate(errors[5m]))",
    });
  });

  it("keys equal requests alike and different ones apart, whatever the threshold", () => {
    const key = (x: Partial<Condition>) => requestFor(file, c(x), 3600).key;
    // A criterion `< 1%` and a trigger `> 5%` over the same 5 minutes ask different worst cases.
    expect(key({ below: 0.01, for: 300 })).toBe(key({ at_most: 0.02, for: 300 }));
    expect(key({ below: 0.01, for: 300 })).not.toBe(key({ above: 0.05, for: 300 }));
    expect(key({ below: 0.01, for: 300 })).not.toBe(key({ below: 0.01, for: 600 }));
    expect(key({ below: 0.01 })).not.toBe(key({ below: 0.01, for: 300 }));
    const vs = { metric: "p99", vs: "legacy_p99", below: 1 };
    expect(key(vs)).toBe(key({ ...vs, compare: "increase" }));
    expect(key(vs)).not.toBe(key({ ...vs, compare: "difference" }));
  });

  it("asks once for a criterion and a trigger that need the same thing", () => {
    const shared = plan({
      stages: [
        { percent: 10, criteria: [{ metric: "error_rate", below: "1%", for: "5m" }] },
        { percent: 100 },
      ],
      rollback: { triggers: [{ metric: "error_rate", at_most: "0.1%", for: "5m" }] },
      state: { percent: 10, started_at: "2026-11-22T10:00:00Z" },
    });
    const requests = metricRequests(shared, viewState(shared), new Date("2026-11-22T12:00:00Z"));
    expect(requests.map((r) => r.window)).toEqual([{ seconds: 300, hold: "max", whole: true }]);
  });
});
