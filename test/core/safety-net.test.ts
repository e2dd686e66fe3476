import { describe, expect, it } from "vitest";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import type { RolloutFile, RolloutFileInput, State } from "../../src/core/config/schema.ts";
import { renderStateEdit } from "../../src/core/config/yaml-edit.ts";
import { renderStatusBlocks } from "../../src/core/messages/slack-blocks.ts";
import { renderStatusText } from "../../src/core/messages/status-message.ts";
import { decideAutomation } from "../../src/core/rollout/automation.ts";
import { evaluateGate } from "../../src/core/rollout/gate.ts";
import { type HealthReport, judgeHealth, metricRequests } from "../../src/core/rollout/health.ts";
import { decideMutation } from "../../src/core/rollout/mutation.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { statusSchedule } from "../../src/core/rollout/status-schedule.ts";
import { applyTransition, type Transition } from "../../src/core/rollout/transition.ts";
import { defaultSettings, plan } from "../helpers/plans.ts";
import { type Readings, resultsFor } from "../helpers/walk.ts";

/** Issue 12: protection that never disarms, warning levels, per-stage rules and clocks that mean what the plan says. */

const settings = defaultSettings();
const t0 = new Date("2026-11-22T10:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;

function health(file: RolloutFile, now: Date, readings: Readings): HealthReport {
  const view = viewState(file);
  const results = resultsFor(metricRequests(file, view, now), readings);
  return judgeHealth({ file, view, now, results });
}

function evaluate(file: RolloutFile, now: Date, readings: Readings) {
  const view = viewState(file);
  const h = health(file, now, readings);
  const gate = evaluateGate({ view, settings, health: h, now });
  return { view, health: h, gate };
}

/** API v4's shape: a step down on 8%, straight to 0% on 20%. */
const apiV4 = (state: State, extra: Partial<RolloutFileInput> = {}) =>
  plan({
    stages: [
      { percent: 5, bake: "24h" },
      { percent: 10, bake: "24h" },
      { percent: 25, bake: "24h" },
    ],
    rollback: {
      cooldown: "2d",
      triggers: [
        { metric: "error_rate", above: "20%", for: "2m", to: 0 },
        { metric: "error_rate", above: "8%", for: "5m" },
      ],
    },
    state,
    ...extra,
  });

describe("1. automatic protection stays armed after a step-down", () => {
  // Rolled back 25% → 10% three days ago; the 2-day cooldown is over.
  const rolledBack = () =>
    apiV4({
      percent: 10,
      phase: "rolled_back",
      started_at: iso(t0),
      cooldown_until: iso(at(2 * DAY)),
    });

  it("rolls back again when a trigger holds on the lower stage's own data: 10% with 60% errors → 0%", () => {
    const now = at(3 * DAY);
    const file = rolledBack();
    const e = evaluate(file, now, { error_rate: 0.6 });
    expect(e.health.status).toBe("red");
    const decided = decideAutomation({ file, ...e });
    expect(decided).toMatchObject({ action: "rollback", to: 0 });
    const result = applyTransition(
      file,
      settings,
      { kind: "rollback", to: 0, automatic: true, reason: "automatic" },
      now,
    );
    expect(result.ok ? result.to : result.refusal.message).toMatchObject({
      percent: 0,
      phase: "rolled_back",
    });
  });

  it("does not cascade: right after the step-down the lower stage warms up, pre-rollback data does not count", () => {
    const justNow = apiV4({
      percent: 10,
      phase: "rolled_back",
      started_at: iso(t0),
      rolled_back_from: 25,
    } as State);
    // One minute after the rollback, the queries still see the 25% stage's errors (9%).
    const e = evaluate(justNow, at(MIN), { error_rate: 0.09 });
    expect(e.health.status).toBe("yellow");
    expect(e.health.reasons.map((r) => r.text)).toContain(
      "warming up: criteria and triggers count from 2026-11-22T10:05:00Z (5m after the stage started)",
    );
    expect(decideAutomation({ file: justNow, ...e })).toEqual({ action: "none" });
    // Fresh data after the warm-up: the trigger holds again and rolls back again.
    const later = evaluate(justNow, at(6 * MIN), { error_rate: 0.09 });
    expect(later.health.status).toBe("red");
    expect(decideAutomation({ file: justNow, ...later })).toMatchObject({ action: "rollback", from: 10 });
  });

  it("an emergency trigger (to: 0) does not wait for the warm-up, only for its own window of fresh data", () => {
    const advanced = apiV4({ percent: 25, phase: "baking", started_at: iso(t0) });
    // 1 minute in: the 2-minute window is not full yet; it never reaches back into the 10% stage.
    const early = evaluate(advanced, at(MIN), { error_rate: 0.6 });
    expect(early.health.status).toBe("yellow");
    const emergency = early.health.reasons.find((r) => r.kind === "trigger");
    expect(emergency?.text).toBe(
      "error_rate 60% so far (rollback if > 20% for 2m): window not yet full (1m of 2m)",
    );
    // 3 minutes in, still inside the 5-minute warm-up: the emergency trigger acts.
    const e = evaluate(advanced, at(3 * MIN), { error_rate: 0.6 });
    expect(e.health.status).toBe("red");
    expect(decideAutomation({ file: advanced, ...e })).toMatchObject({ action: "rollback", to: 0, from: 25 });
  });

  it("an automatic rollback decided at one percent is refused once the rollout has moved (no double step-down)", () => {
    const result = applyTransition(
      rolledBack(),
      settings,
      { kind: "rollback", automatic: true, from: 25 } as Transition,
      at(DAY),
    );
    expect(result.ok ? "applied" : result.refusal.message).toBe(
      "already at 10%: this rollback was decided at 25%",
    );
  });
});

describe("2. warning levels", () => {
  const warned = (state: State) =>
    plan({
      rollback: {
        triggers: [
          { metric: "error_rate", above: "5%", for: "5m" },
          { metric: "error_rate", above: "2%", for: "30m", action: "pause" },
          { metric: "error_rate", above: "0.5%", for: "30m", action: "notify" },
        ],
      },
      state,
    } as Partial<RolloutFileInput>);

  it("a notify trigger turns health yellow with a warning and changes nothing", () => {
    const file = warned({ percent: 10, phase: "baking", started_at: iso(t0) });
    const e = evaluate(file, at(2 * HOUR), { error_rate: 0.008 });
    expect(e.health.status).toBe("yellow");
    expect(e.health.reasons.filter((r) => r.kind === "trigger").map((r) => r.text)).toEqual([
      "error_rate 0.8% (rollback if > 5% for 5m)",
      "error_rate 0.8% (pause if > 2% for 30m)",
      "error_rate 0.8% > 0.5% for 30m — warning",
    ]);
    expect(decideAutomation({ file, ...e })).toEqual({ action: "none" });
  });

  it("a pause trigger pauses the rollout; a rollback trigger still rolls back", () => {
    const file = warned({ percent: 10, phase: "baking", started_at: iso(t0) });
    const e = evaluate(file, at(2 * HOUR), { error_rate: 0.03 });
    expect(e.health.status).toBe("yellow");
    expect(decideAutomation({ file, ...e })).toEqual({
      action: "pause",
      reason: "automatic: error_rate 3% > 2% for 30m — pause trigger",
    });
    const paused = warned({ percent: 10, phase: "paused", started_at: iso(t0) });
    expect(
      decideAutomation({ file: paused, ...evaluate(paused, at(2 * HOUR), { error_rate: 0.03 }) }),
    ).toEqual({
      action: "none",
    });
    const red = evaluate(file, at(2 * HOUR), { error_rate: 0.07 });
    expect(decideAutomation({ file, ...red })).toMatchObject({ action: "rollback" });
  });

  it("refuses `to` on a trigger that does not roll back", () => {
    expect(() =>
      plan({
        rollback: { triggers: [{ metric: "error_rate", above: "1%", action: "notify", to: 0 }] },
      } as Partial<RolloutFileInput>),
    ).toThrow(/to needs action: rollback/);
  });

  it("shows a proposal as a proposal: header, bar and facts say proposed 50% while main stays at 10%", () => {
    const file = plan({ state: { percent: 10, phase: "baking", started_at: iso(t0) } });
    const text = renderStateEdit("stages: []\nstate:\n  percent: 10\n", file.state!);
    const e = evaluate(file, at(2 * HOUR), { error_rate: 0.001 });
    const decision = decideMutation({
      repo: "acme/shop",
      rollout: { id: "checkout", path: ".github/rollouts/checkout.yml", text, file },
      settings,
      evaluation: e,
      request: { action: "advance", event: "advanced", transition: { kind: "advance", gate: e.gate } },
      actor: "rollout-bot",
      now: at(2 * HOUR),
      pullRequests: true,
      syncFiles: new Map(),
    });
    if (decision.kind !== "planned") throw new Error(decision.kind);
    const { status } = decision;
    expect(status).toMatchObject({ percent: 10, stage: 1, proposed: { percent: 50 } });
    const blocks = renderStatusBlocks(status);
    const header = blocks.blocks[0];
    expect(header?.type === "header" && header.text.text).toBe("🟢 checkout · 10% → 50% proposed");
    const body = JSON.stringify(blocks.blocks);
    expect(body).toContain("*[10]*");
    expect(body).toContain("_50 (proposed)_");
    expect(body).toContain("stage 1/3  ·  baking  ·  proposed 50%: waiting for approval");
    expect(renderStatusText(status)).toContain("stage 1/3 · baking · proposed 50%: waiting for approval");
    // Judged without its approvals (the bump PR's check counts them), the gate is not called open.
    expect(renderStatusText(status)).toContain(
      "gate to 50%: waiting for approval — bake, health and the other checks pass",
    );
    expect(body).toContain("*Gate to 50%:* waiting for approval — bake, health and the other checks pass");
    expect(`${renderStatusText(status)}${body}`).not.toMatch(/gate to 50%:\*? open/i);
  });
});

describe("3. per-stage rules", () => {
  // RepTate: "immediate if any errors" at 5%, "> 0.5%" at 25%, a manual decision (notify only) at 50%.
  const reptate = (state: State) =>
    plan({
      stages: [
        { percent: 5, bake: "1h", triggers: [{ metric: "error_rate", above: 0 }] },
        { percent: 25, bake: "4h", triggers: [{ metric: "error_rate", above: "0.5%", for: "5m" }] },
        {
          percent: 50,
          inherit_triggers: false,
          triggers: [{ metric: "error_rate", above: "1%", for: "10m", action: "notify" }],
        },
      ],
      rollback: { cooldown: "1w", triggers: [{ metric: "error_rate", above: "5%", for: "5m" }] },
      state,
    } as Partial<RolloutFileInput>);

  it("a stage's triggers add to the rollout-wide ones", () => {
    const file = reptate({ percent: 5, phase: "baking", started_at: iso(t0) });
    const now = at(HOUR);
    expect(metricRequests(file, viewState(file), now).map((r) => [r.metric, r.window?.seconds])).toEqual([
      ["error_rate", undefined],
      ["error_rate", 300],
    ]);
    const e = evaluate(file, now, { error_rate: 0.0001 });
    expect(e.health.reasons.filter((r) => !r.pass).map((r) => r.text)).toEqual([
      "error_rate 0.01% > 0% now — rollback trigger",
    ]);
    expect(decideAutomation({ file, ...e })).toMatchObject({ action: "rollback" });
    const at25 = reptate({ percent: 25, phase: "baking", started_at: iso(t0) });
    expect(evaluate(at25, now, { error_rate: 0.004 }).health.status).toBe("green");
    expect(evaluate(at25, now, { error_rate: 0.006 }).health.status).toBe("red");
  });

  it("inherit_triggers: false replaces them: at 50% a high error rate is a warning for a person to decide", () => {
    const file = reptate({ percent: 50, phase: "baking", started_at: iso(t0) });
    const e = evaluate(file, at(HOUR), { error_rate: 0.07 });
    expect(e.health.status).toBe("yellow");
    expect(e.health.reasons.map((r) => r.text)).toEqual(["error_rate 7% > 1% for 10m — warning"]);
    expect(decideAutomation({ file, ...e })).toEqual({ action: "none" });
  });

  // Places API: 3 d after a rollback from 10%, 2 d from 50%; status every 4 h at 10%, every 2 h after.
  const places = (state: State) =>
    plan({
      stages: [
        { percent: 10, bake: "14d", cooldown: "3d", schedule: "0 */4 * * *" },
        { percent: 50, bake: "7d", cooldown: "2d", schedule: "0 */2 * * *" },
        { percent: 100, bake: "7d", cooldown: "3d", schedule: "0 */2 * * *" },
      ],
      rollback: { cooldown: "5d", triggers: [] },
      notify: { schedule: "0 9 * * *" },
      state,
    } as Partial<RolloutFileInput>);

  it("a rollback waits the cooldown of the stage it leaves", () => {
    const from50 = applyTransition(
      places({ percent: 50, phase: "baking" }),
      settings,
      { kind: "rollback" },
      t0,
    );
    expect(from50.ok && from50.to.cooldown_until).toBe(iso(at(2 * DAY)));
    const from10 = applyTransition(
      places({ percent: 10, phase: "baking" }),
      settings,
      { kind: "rollback" },
      t0,
    );
    expect(from10.ok && from10.to.cooldown_until).toBe(iso(at(3 * DAY)));
  });

  it("the status schedule is the stage's", () => {
    expect(statusSchedule(places({ percent: 10 }), settings).cron).toBe("0 */4 * * *");
    expect(statusSchedule(places({ percent: 50 }), settings).cron).toBe("0 */2 * * *");
    expect(statusSchedule(places({ percent: 0 }), settings).cron).toBe("0 9 * * *");
  });

  it("checks the metrics a stage's triggers name", () => {
    const parsed = parseRolloutFile(
      ".github/rollouts/x.yml",
      "stages:\n  - percent: 10\n    triggers:\n      - { metric: nope, above: 1 }\n",
    );
    expect(parsed.ok ? [] : parsed.diagnostics.map((d) => d.message)).toEqual([
      "stages[0].triggers[0].metric: unknown metric 'nope' (metrics.queries: none defined)",
    ]);
  });
});

describe("5. clocks that mean what the plan says", () => {
  const places = (state: State, extra: Partial<RolloutFileInput> = {}) =>
    plan({
      stages: [
        { percent: 10, bake: "14d", criteria: [{ metric: "error_rate", below: "1%", for: "stage" }] },
        { percent: 50, bake: "7d", cooldown: "2d" },
        { percent: 100, bake: "7d" },
      ],
      rollback: { cooldown: "3d", triggers: [{ metric: "error_rate", above: "5%", for: "5m" }] },
      state,
      ...extra,
    } as Partial<RolloutFileInput>);

  it("a pause stops the bake clock: 10 days paused are not 10 days baked", () => {
    const baking = places({ percent: 10, phase: "baking", started_at: iso(t0) });
    const paused = applyTransition(baking, settings, { kind: "pause", reason: "holiday" }, at(2 * DAY));
    if (!paused.ok) throw new Error(paused.refusal.message);
    expect(paused.to).toMatchObject({ phase: "paused", paused_at: iso(at(2 * DAY)) });
    const resumed = applyTransition(
      { ...baking, state: paused.to },
      settings,
      { kind: "resume" },
      at(12 * DAY),
    );
    if (!resumed.ok) throw new Error(resumed.refusal.message);
    expect(resumed.to).toEqual({
      percent: 10,
      phase: "baking",
      started_at: iso(t0),
      paused_seconds: 10 * DAY,
    });
    const file = { ...baking, state: resumed.to };
    const gate = evaluate(file, at(14 * DAY), { error_rate: 0.001 }).gate;
    expect(gate.checks.find((c) => c.name === "bake")).toEqual({
      name: "bake",
      pass: false,
      detail: "4d of 14d baked (10d paused, not counted)",
    });
    expect(evaluate(file, at(24 * DAY), { error_rate: 0.001 }).gate.open).toBe(true);
    // While paused, the clock stands still too.
    const still = { ...baking, state: paused.to };
    expect(evaluate(still, at(20 * DAY), {}).gate.checks.find((c) => c.name === "bake")?.detail).toBe(
      "2d of 14d baked (18d paused, not counted)",
    );
  });

  it("after a step-down, retrying the stage you came down from needs the cooldown and green health, not a new bake", () => {
    const at50 = places({ percent: 50, phase: "baking", started_at: iso(t0) });
    const down = applyTransition(at50, settings, { kind: "rollback", reason: "errors" }, at(DAY));
    if (!down.ok) throw new Error(down.refusal.message);
    expect(down.to).toMatchObject({ percent: 10, rolled_back_from: 50, cooldown_until: iso(at(3 * DAY)) });
    const file = { ...at50, state: down.to };
    // "wait 2 days, retry phase 2": 2 days of cooldown, then green health over the 10% stage since the rollback.
    const during = evaluate(file, at(2 * DAY), { error_rate: 0.001 }).gate;
    expect(during.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(["cooldown"]);
    const after = evaluate(file, at(3 * DAY), { error_rate: 0.001 }).gate;
    expect(after.open).toBe(true);
    expect(after.checks.find((c) => c.name === "bake")?.detail).toBe(
      "retry of 50%: 10% baked before the rollback; needs the cooldown and green health",
    );
    expect(evaluate(file, at(3 * DAY), { error_rate: 0.02 }).gate.open).toBe(false);
    const retried = applyTransition(file, settings, { kind: "advance", gate: after }, at(3 * DAY));
    expect(retried.ok && retried.to).toEqual({ percent: 50, phase: "baking", started_at: iso(at(3 * DAY)) });
  });

  it("windows never reach back before the stage started; a window not yet full is yellow, never green", () => {
    const young = places({ percent: 10, phase: "baking", started_at: iso(t0) }, { warmup: "0s" });
    const now = at(2 * MIN);
    expect(metricRequests(young, viewState(young), now).map((r) => [r.metric, r.window])).toEqual([
      ["error_rate", { seconds: 120, hold: "max" }],
      ["error_rate", { seconds: 120, hold: "min", whole: true }],
    ]);
    const h = health(young, now, { error_rate: 0.001 });
    expect(h.status).toBe("yellow");
    expect(h.reasons.map((r) => [r.text, r.pass])).toEqual([
      ["error_rate 0.1% (< 1% over the stage (2m))", true],
      ["error_rate 0.1% so far (rollback if > 5% for 5m): window not yet full (2m of 5m)", false],
    ]);
    // A trigger that does not hold over the part of its window there is cannot hold over the whole.
    const full = health(young, at(5 * MIN), { error_rate: 0.001 });
    expect(full.status).toBe("green");
  });

  it("warms up after every transition before criteria and triggers count: 5 minutes by default, configurable", () => {
    const started = places({ percent: 10, phase: "baking", started_at: iso(t0) });
    const h = health(started, at(4 * MIN), { error_rate: 0.5 });
    expect(h).toEqual({
      status: "yellow",
      reasons: [
        {
          kind: "info",
          status: "yellow",
          pass: false,
          pending: "warmup",
          text: "warming up: criteria and triggers count from 2026-11-22T10:05:00Z (5m after the stage started)",
        },
      ],
    });
    expect(metricRequests(started, viewState(started), at(4 * MIN))).toEqual([]);
    expect(health(started, at(5 * MIN), { error_rate: 0.001 }).status).toBe("green");
    const longer = places({ percent: 10, phase: "baking", started_at: iso(t0) }, { warmup: "15m" });
    expect(health(longer, at(10 * MIN), { error_rate: 0.001 }).status).toBe("yellow");
    expect(health(longer, at(15 * MIN), { error_rate: 0.001 }).status).toBe("green");
  });

  it("writes the new state fields with the comment-preserving edit", () => {
    const text = "stages: []\n# state\nstate:\n  percent: 10 # now\n  phase: baking\n";
    const paused = renderStateEdit(text, {
      percent: 10,
      phase: "paused",
      paused_at: "2026-11-22T10:00:00Z",
      paused_seconds: 3600,
    } as State);
    expect(paused).toBe(
      "stages: []\n# state\nstate:\n  percent: 10 # now\n  phase: paused\n  paused_at: 2026-11-22T10:00:00Z\n  paused_seconds: 3600\n",
    );
    expect(renderStateEdit(paused, { percent: 10, phase: "baking", paused_seconds: 7200 } as State)).toBe(
      "stages: []\n# state\nstate:\n  percent: 10 # now\n  phase: baking\n  paused_seconds: 7200\n",
    );
  });
});
