import { describe, expect, it } from "vitest";
import { tick } from "../../src/commands/tick.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

const start = new Date("2026-11-22T10:00:00Z");

function setup(errorRate: { value: number | undefined }, plan = CHECKOUT_PLAN) {
  return memoryContext(
    { [ROLLOUT_PATH]: plan, "config.py": CONFIG_PY },
    { error_rate: () => errorRate.value },
    start,
  );
}

describe("tick: the evaluation loop", () => {
  it("rolls back on red once, however often it runs", async () => {
    const rate = { value: 0.2 as number | undefined };
    const { ctx, store } = setup(rate);
    const first = await tick(ctx);
    expect(first.map((d) => [d.action, d.health])).toEqual([["rollback", "red"]]);
    expect(store.commits).toHaveLength(1);
    expect(store.dispatches.map((d) => d.workflow)).toEqual(["rollback.yml"]);
    const second = await tick(ctx);
    expect(second.map((d) => d.action)).toEqual(["none"]);
    expect(store.commits).toHaveLength(1);
    expect(store.dispatches).toHaveLength(1);
    expect(store.files.get(ROLLOUT_PATH)).toContain("  percent: 0\n  phase: rolled_back\n");
  });

  it("does not roll back automatically when auto_rollback is off, but shows red", async () => {
    const plan = CHECKOUT_PLAN.replace(
      "  auto_advance: true",
      "  auto_advance: true\n  auto_rollback: false",
    );
    const { ctx, store, notifier } = setup({ value: 0.2 }, plan);
    const decisions = await tick(ctx);
    expect(decisions.map((d) => [d.action, d.health, d.posted])).toEqual([["none", "red", true]]);
    expect(store.commits).toHaveLength(0);
    expect(notifier.messages[0]?.colour).toBe("red");
  });

  it("advances when the gate opens and auto_advance is on, then completes after the final bake", async () => {
    const { ctx, store, clock } = setup({ value: 0.001 });
    expect((await tick(ctx)).map((d) => d.action)).toEqual(["advance"]); // 2h at 10% ≥ 1h bake
    clock.time = new Date(start.getTime() + 60 * 60_000);
    expect((await tick(ctx)).map((d) => d.action)).toEqual(["none"]); // 1h of 2h at 50%
    clock.time = new Date(start.getTime() + 2 * 60 * 60_000);
    expect((await tick(ctx)).map((d) => d.action)).toEqual(["advance"]);
    clock.time = new Date(start.getTime() + 3 * 60 * 60_000);
    expect((await tick(ctx)).map((d) => d.action)).toEqual(["complete"]);
    expect(await tick(ctx)).toEqual([]); // complete rollouts are not evaluated or posted
    expect(store.commits.map((c) => c.message.split("\n")[0])).toEqual([
      "rollout(checkout): advance 10% → 50%",
      "rollout(checkout): advance 50% → 100%",
      "rollout(checkout): complete at 100%",
    ]);
    expect(store.files.get("config.py")).toBe("# traffic\ncanary_percent = 100.0\n");
  });

  it("holds on missing data: yellow, no advance", async () => {
    const { ctx, store } = setup({ value: undefined });
    const [decision] = await tick(ctx);
    expect(decision?.health).toBe("yellow");
    expect(decision?.action).toBe("none");
    expect(decision?.status.health.reasons[0]?.text).toBe("error_rate < 1% over the stage (2h): no data");
    expect(store.commits).toHaveLength(0);
  });

  it("posts status only when due, and not at all in a dry run", async () => {
    const { ctx, notifier } = setup(
      { value: 0.001 },
      CHECKOUT_PLAN.replace("automation:\n  auto_advance: true\n", ""),
    );
    await tick(ctx, { statusDue: () => false });
    expect(notifier.messages).toHaveLength(0);
    const decisions = await tick(ctx, { statusDue: () => true });
    expect(notifier.messages.map((m) => m.event)).toEqual(["stage_passed"]);
    expect(decisions[0]?.posted).toBe(true);
    await tick({ ...ctx, dryRun: true });
    expect(notifier.messages).toHaveLength(1);
  });

  it("uses a firing trigger's own target: an emergency goes to 0%", async () => {
    const plan = CHECKOUT_PLAN.replace(
      "    - { metric: error_rate, above: 5%, for: 5m }",
      "    - { metric: error_rate, above: 5%, for: 5m }\n    - { metric: error_rate, above: 30%, to: 0 }",
    ).replace("percent: 10\n  phase", "percent: 50\n  phase");
    const { ctx, store } = setup({ value: 0.5 }, plan);
    await tick(ctx);
    expect(store.files.get(ROLLOUT_PATH)).toContain("  percent: 0\n");
  });
});
