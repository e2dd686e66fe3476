import { describe, expect, it } from "vitest";
import { CHECKOUT_PLAN, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

/** `status <rollout>` with `detail`: what the status page draws, through the one command path. */
describe("status detail", () => {
  const start = new Date("2026-11-22T10:00:00Z");

  it("carries the stage plan and each chart's series from the range API, over the stage", async () => {
    const { run } = memoryContext({ [ROLLOUT_PATH]: CHECKOUT_PLAN }, { error_rate: () => 0.002 }, start);
    const outcome = await run({ verb: "status", rollout: { id: "checkout" } }, { detail: true });
    if (outcome.kind !== "status" || !outcome.detail) throw new Error(outcome.kind);
    const { detail } = outcome;
    expect(detail.stages.map((s) => [s.percent, s.bake, s.criteria])).toEqual([
      [10, "1h", ["error_rate"]],
      [50, "2h", []],
      [100, "1h", []],
    ]);
    expect(detail.cooldown).toBe("1d");
    expect(detail.range).toEqual({
      start: "2026-11-22T08:00:00.000Z",
      end: "2026-11-22T10:00:00.000Z",
      stepSeconds: 30,
    });
    expect(detail.charts.map((c) => c.title)).toEqual([
      "error_rate < 1% over the stage",
      "rollback if error_rate > 5% for 5m",
    ]);
    const series = detail.charts[0]?.series[0]?.result;
    if (!series?.ok) throw new Error("no points");
    expect(series.points).toHaveLength(241);
    expect(series.points[0]).toEqual([Date.parse("2026-11-22T08:00:00Z") / 1000, 0.002]);
    expect(detail.pull).toBeUndefined();
  });

  it("is left out of a plain status (the other surfaces pay nothing for it)", async () => {
    const { run, metrics } = memoryContext(
      { [ROLLOUT_PATH]: CHECKOUT_PLAN },
      { error_rate: () => 0.002 },
      start,
    );
    const outcome = await run({ verb: "status", rollout: { id: "checkout" } });
    expect(outcome.kind === "status" && outcome.detail).toBe(undefined);
    expect(metrics?.queries).toBe(2);
  });
});
