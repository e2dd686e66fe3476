import { describe, expect, it } from "vitest";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { handleAlerts } from "../../src/commands/handle-alerts.ts";
import { contextFor } from "../../src/commands/services.ts";
import { tick } from "../../src/commands/tick.ts";
import type { InboxAlert } from "../../src/core/alerts/alert.ts";
import { MemoryPullRequestStore } from "../doubles/memory-repo-store.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

/** Issue 12 through the commands: protection stays armed, alerts act as the rollout chooses, changes are told at once. */

const start = new Date("2026-11-22T10:00:00Z");
const minutes = (m: number) => new Date(start.getTime() + m * 60_000);

function setup(rate: { value: number | undefined }, plan = CHECKOUT_PLAN) {
  return memoryContext(
    { [ROLLOUT_PATH]: plan, "config.py": CONFIG_PY },
    { error_rate: () => rate.value },
    start,
  );
}

const EMERGENCY =
  "    - { metric: error_rate, above: 5%, for: 5m }\n    - { metric: error_rate, above: 30%, for: 2m, to: 0 }";
/** Rolled back 100% → 50% two days ago; the 1-day cooldown is over. */
const ROLLED_BACK = CHECKOUT_PLAN.replace(
  "    - { metric: error_rate, above: 5%, for: 5m }",
  EMERGENCY,
).replace(
  "  percent: 10\n  phase: baking\n  started_at: 2026-11-22T08:00:00Z\n",
  "  percent: 50\n  phase: rolled_back\n  started_at: 2026-11-20T10:00:00Z\n  cooldown_until: 2026-11-21T10:00:00Z\n",
);

const inbox = (severity: InboxAlert["severity"], startsAt: string, name = "CheckoutErrors"): InboxAlert => ({
  source: "alertmanager",
  identity: `alertmanager:${name}`,
  key: `alertmanager:${name}:${startsAt}`,
  name,
  rollout: "checkout",
  repo: "acme/shop",
  severity,
  status: "firing",
  summary: "5xx above 5%",
  startsAt,
});

describe("1. protection stays armed after a step-down", () => {
  it("tick: a rolled-back rollout whose emergency trigger holds on fresh data goes to 0%", async () => {
    const { ctx, store } = setup({ value: 0.6 }, ROLLED_BACK);
    const [decision] = await tick(ctx);
    expect(decision).toMatchObject({ action: "rollback", health: "red" });
    expect(store.files.get(ROLLOUT_PATH)).toContain("  percent: 0\n  phase: rolled_back\n");
    expect(store.dispatches.map((d) => [d.workflow, d.inputs.from, d.inputs.to])).toEqual([
      ["rollback.yml", "50", "0"],
    ]);
  });

  it("alerts act as the rollout chooses by severity: warning → pause, critical → 0%", async () => {
    const plan = `${CHECKOUT_PLAN.replace("  percent: 10\n", "  percent: 50\n")}alerts:\n  critical: { action: rollback, to: 0 }\n  warning: { action: pause }\n`;
    const { services, store } = setup({ value: 0.001 }, plan);
    const deps = { services, registry: new StaticRegistry([store]) };
    const [warned] = await handleAlerts(deps, [inbox("warning", "2026-11-22T09:59:00Z", "Slow")]);
    expect(warned?.result).toBe("paused");
    expect(store.files.get(ROLLOUT_PATH)).toContain("  phase: paused\n");
    const [paged] = await handleAlerts(deps, [inbox("critical", "2026-11-22T09:59:30Z")]);
    expect(paged?.result).toBe("rolled_back");
    expect(store.dispatches.map((d) => [d.inputs.from, d.inputs.to])).toEqual([["50", "0"]]);
  });

  it("a critical alert that began after a step-down steps down again; one from before it does not", async () => {
    const { services, store } = setup({ value: 0.001 }, ROLLED_BACK);
    const deps = { services, registry: new StaticRegistry([store]) };
    const [old] = await handleAlerts(deps, [inbox("critical", "2026-11-20T09:55:00Z")]);
    expect(old?.result).toBe("already_rolled_back");
    expect(store.commits).toHaveLength(0);
    const [fresh] = await handleAlerts(deps, [inbox("critical", "2026-11-22T09:50:00Z")]);
    expect(fresh?.result).toBe("rolled_back");
    expect(store.dispatches.map((d) => [d.inputs.from, d.inputs.to])).toEqual([["50", "10"]]);
  });
});

describe("2. warning levels and immediate notice", () => {
  it("posts a health change at once, not at the next digest: red with auto-rollback off, missing data, recovery", async () => {
    const manual = CHECKOUT_PLAN.replace(
      "  auto_advance: true",
      "  auto_advance: false\n  auto_rollback: false",
    );
    const rate = { value: 0.2 as number | undefined };
    const { ctx, notifier, store, clock } = setup(rate, manual);
    const notDue = { statusDue: () => false };
    await tick(ctx, notDue);
    expect(notifier.messages.map((m) => [m.event, m.colour])).toEqual([["health_changed", "red"]]);
    expect(notifier.messages[0]?.headline).toBe(
      "checkout: health is red — error_rate 20% > 5% for 5m — rollback trigger; auto-rollback is off: roll back with /rollout rollback checkout",
    );
    clock.time = minutes(1);
    await tick(ctx, notDue);
    expect(notifier.messages).toHaveLength(1);
    rate.value = undefined;
    clock.time = minutes(2);
    await tick(ctx, notDue);
    rate.value = 0.001;
    clock.time = minutes(3);
    await tick(ctx, notDue);
    expect(notifier.messages.map((m) => [m.event, m.colour])).toEqual([
      ["health_changed", "red"],
      ["health_changed", "yellow"],
      ["health_changed", "green"],
    ]);
    expect(notifier.messages[1]?.headline).toMatch(
      /^checkout: health red → yellow — error_rate .*: no data$/,
    );
    expect(store.commits).toHaveLength(0);
  });

  it("a notify trigger is posted at once as a warning and changes nothing", async () => {
    const plan = CHECKOUT_PLAN.replace(
      "    - { metric: error_rate, above: 5%, for: 5m }",
      "    - { metric: error_rate, above: 5%, for: 5m }\n    - { metric: error_rate, above: 0.5%, for: 30m, action: notify }",
    );
    const { ctx, notifier, store } = setup({ value: 0.008 }, plan);
    await tick(ctx, { statusDue: () => false });
    expect(notifier.messages.map((m) => [m.event, m.colour])).toEqual([["health_changed", "yellow"]]);
    expect(notifier.messages[0]?.headline).toContain("error_rate 0.8% > 0.5% for 30m — warning");
    expect(store.commits).toHaveLength(0);
  });

  it("what was just posted is not told again as a change: an alert notice, a rollback", async () => {
    const { services, store, notifier } = setup({ value: 0.001 });
    const deps = { services, registry: new StaticRegistry([store]) };
    // A context per pass, as the evaluation loop makes (it reads the alert book once).
    const pass = () => tick(contextFor(services, store, "rollout-bot"), { statusDue: () => false });
    await handleAlerts(deps, [inbox("warning", "2026-11-22T09:59:00Z", "Slow")]);
    await pass();
    expect(notifier.messages.map((m) => m.event)).toEqual(["alert"]);
    await handleAlerts(deps, [inbox("critical", "2026-11-22T09:59:30Z")]);
    await pass();
    expect(notifier.messages.map((m) => m.event)).toEqual(["alert", "rolled_back"]);
  });

  it("a red `status` rolls back at once when auto-rollback is on — as the bot, under the lease", async () => {
    const { run, store } = setup({ value: 0.2 });
    const outcome = await run({ verb: "status", rollout: { id: "checkout" } });
    expect(store.commits).toHaveLength(1);
    expect(store.commits[0]?.message).toContain("Rollout-Actor: rollout-bot\n");
    expect(store.dispatches.map((d) => d.workflow)).toEqual(["rollback.yml"]);
    expect(outcome).toMatchObject({
      kind: "status",
      statuses: [{ percent: 0, phase: "rolled_back", event: "rolled_back" }],
    });
    const off = setup(
      { value: 0.2 },
      CHECKOUT_PLAN.replace("  auto_advance: true", "  auto_advance: true\n  auto_rollback: false"),
    );
    await off.run({ verb: "status", rollout: { id: "checkout" } });
    await off.run({ verb: "status" });
    expect(off.store.commits).toHaveLength(0);
  });

  it("a bump PR waiting for approval is announced once, not on every tick", async () => {
    const clock = { time: start };
    const store = new MemoryPullRequestStore(
      "acme/shop",
      { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
      () => clock.time,
    );
    const context = memoryContext({}, { error_rate: () => 0.001 }, start, { store });
    const { ctx, notifier } = context;
    for (let m = 0; m < 10; m++) {
      context.clock.time = minutes(m);
      clock.time = minutes(m);
      await tick(ctx, { statusDue: () => false });
    }
    expect(store.prs).toHaveLength(1);
    expect(notifier.messages.map((m) => [m.event, m.headline])).toEqual([
      ["stage_passed", "checkout: ready for 50% — approve and merge PR #1 memory://pull/1"],
    ]);
    // Shown as a proposal: main is still at 10% until the PR merges.
    expect(notifier.messages[0]).toMatchObject({
      percent: 10,
      stage: 1,
      proposed: { percent: 50, pr: { number: 1, url: "memory://pull/1" } },
    });
  });
});
