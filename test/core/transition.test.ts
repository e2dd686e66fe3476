import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RolloutFile, State } from "../../src/core/config/schema.ts";
import { evaluateGate } from "../../src/core/rollout/gate.ts";
import type { HealthReport } from "../../src/core/rollout/health.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { applyTransition, type Transition } from "../../src/core/rollout/transition.ts";
import { defaultSettings, plan } from "../helpers/plans.ts";
import { approvalsOf } from "../helpers/walk.ts";

const green: HealthReport = { status: "green", reasons: [] };
const yellow: HealthReport = {
  status: "yellow",
  reasons: [{ kind: "criterion", status: "yellow", pass: false, text: "error_rate 2% (< 1% now)" }],
};
const settings = defaultSettings();
const t0 = new Date("2026-11-22T10:00:00Z");
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);

function withState(state: State, base: RolloutFile = plan()): RolloutFile {
  return { ...base, state };
}

function gateFor(
  file: RolloutFile,
  now: Date,
  health = green,
  extra: { approvals?: number; to?: number } = {},
) {
  const { approvals, ...rest } = extra;
  return evaluateGate({
    view: viewState(file),
    settings,
    health,
    now,
    stages: file.stages,
    ...rest,
    ...(approvals === undefined ? {} : { approvals: approvalsOf(approvals) }),
  });
}

describe("advance", () => {
  it("moves 0% → first stage, baking from now", () => {
    const file = plan();
    const result = applyTransition(file, settings, { kind: "advance", gate: gateFor(file, t0) }, t0);
    expect(result).toEqual({
      ok: true,
      from: { percent: 0 },
      to: { percent: 10, phase: "baking", started_at: "2026-11-22T10:00:00Z" },
      summary: "0% → 10%",
    });
  });
  it("refuses before the bake time is up, saying how much has baked", () => {
    const file = withState({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    const result = applyTransition(
      file,
      settings,
      { kind: "advance", gate: gateFor(file, hours(0.5)) },
      hours(0.5),
    );
    expect(result).toEqual({
      ok: false,
      refusal: { message: "the gate is closed", reasons: ["bake: 30m of 1h baked"] },
    });
  });
  it("refuses on yellow health with the failing reason, and --force overrides bake and health only", () => {
    const file = withState({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    const gate = gateFor(file, hours(0.5), yellow);
    const refused = applyTransition(file, settings, { kind: "advance", gate }, hours(0.5));
    expect(refused.ok ? [] : refused.refusal.reasons).toEqual([
      "bake: 30m of 1h baked",
      "health: yellow: error_rate 2% (< 1% now)",
    ]);
    const forced = applyTransition(file, settings, { kind: "advance", gate, force: true }, hours(0.5));
    expect(forced.ok && forced.to.percent).toBe(50);
  });
  it("never forces through a pause, a cooldown or a freeze", () => {
    const paused = withState({
      percent: 10,
      phase: "paused",
      reason: "investigating",
      started_at: t0.toISOString(),
    });
    const r = applyTransition(
      paused,
      settings,
      { kind: "advance", gate: gateFor(paused, hours(5)), force: true },
      hours(5),
    );
    expect(r.ok ? "" : r.refusal.reasons).toEqual(["paused: paused: investigating"]);
  });
  it("jumps to a named later stage only when forced (it skips a bake), never to a non-stage or backwards", () => {
    const file = withState({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    const gate = gateFor(file, hours(2), green, { to: 100 });
    const skipping = applyTransition(file, settings, { kind: "advance", to: 100, gate }, hours(2));
    expect(skipping.ok ? "" : skipping.refusal.message).toBe("advance to 100% skips the 50% stage's bake");
    const ok = applyTransition(file, settings, { kind: "advance", to: 100, gate, force: true }, hours(2));
    expect(ok.ok && ok.to.percent).toBe(100);
    const bad = applyTransition(
      file,
      settings,
      { kind: "advance", to: 30, gate: gateFor(file, hours(2)) },
      hours(2),
    );
    expect(bad.ok ? "" : bad.refusal.message).toBe("30% is not a stage of this rollout (10, 50, 100)");
  });
  it("refuses at the final stage and when complete", () => {
    const last = withState({ percent: 100, phase: "baking", started_at: t0.toISOString() });
    const r = applyTransition(last, settings, { kind: "advance", gate: gateFor(last, hours(5)) }, hours(5));
    expect(r.ok ? "" : r.refusal.message).toBe(
      "already at the final stage (100%); it completes when its bake ends",
    );
  });
  it("counts approvals when given, requiring the next stage's number", () => {
    const file = withState({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    const gate = gateFor(file, hours(2), green, { approvals: 1 });
    expect(gate.requiredApprovals).toBe(2);
    expect(gate.checks.find((c) => c.name === "approvals")).toEqual({
      name: "approvals",
      pass: false,
      detail: "1 of 2 approvals",
    });
  });
  it("holds the gate in a freeze window", () => {
    const frozen = defaultSettings({
      freeze: [{ name: "weekend", weekly: { from: "fri 17:00", to: "mon 09:00" } }],
    });
    const file = withState({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    // 2026-11-22 is a Sunday.
    const gate = evaluateGate({ view: viewState(file), settings: frozen, health: green, now: hours(2) });
    expect(gate.checks.find((c) => c.name === "freeze")).toEqual({
      name: "freeze",
      pass: false,
      detail: "freeze window 'weekend' is active",
    });
    const monday = evaluateGate({
      view: viewState(file),
      settings: frozen,
      health: green,
      now: new Date("2026-11-23T09:30:00Z"),
    });
    expect(monday.open).toBe(true);
  });
});

describe("rollback", () => {
  const at50 = withState({ percent: 50, phase: "baking", started_at: t0.toISOString() });
  it("steps down to the previous stage with a cooldown and the reason", () => {
    const r = applyTransition(at50, settings, { kind: "rollback", reason: "5xx spike" }, hours(1));
    expect(r).toEqual({
      ok: true,
      from: at50.state,
      to: {
        percent: 10,
        phase: "rolled_back",
        started_at: "2026-11-22T11:00:00Z",
        cooldown_until: "2026-11-25T11:00:00Z",
        reason: "5xx spike",
        rolled_back_from: 50,
      },
      summary: "50% → 10%",
    });
  });
  it("goes to 0 or a named lower stage, never up", () => {
    expect(applyTransition(at50, settings, { kind: "rollback", to: 0 }, t0)).toMatchObject({
      ok: true,
      to: { percent: 0 },
    });
    const up = applyTransition(at50, settings, { kind: "rollback", to: 100 }, t0);
    expect(up.ok ? "" : up.refusal.message).toBe(
      "a rollback must lower the percentage: 100% is not below 50%",
    );
    const odd = applyTransition(at50, settings, { kind: "rollback", to: 20 }, t0);
    expect(odd.ok ? "" : odd.refusal.message).toBe("20% is not 0 or a stage of this rollout (10, 50, 100)");
  });
  it("uses the file's target by default", () => {
    const file = withState({ percent: 50 }, plan({ rollback: { target: 0 } }));
    expect(applyTransition(file, settings, { kind: "rollback" }, t0)).toMatchObject({
      ok: true,
      to: { percent: 0 },
    });
  });
  it("is allowed while paused or frozen; an automatic one stays armed but never acts twice on one verdict", () => {
    const paused = withState({ percent: 50, phase: "paused" });
    expect(applyTransition(paused, settings, { kind: "rollback" }, t0).ok).toBe(true);
    const rolled = withState({ percent: 10, phase: "rolled_back", cooldown_until: hours(72).toISOString() });
    expect(
      applyTransition(rolled, settings, { kind: "rollback", automatic: true, from: 10 }, t0),
    ).toMatchObject({
      ok: true,
      to: { percent: 0, rolled_back_from: 10 },
    });
    const twice = applyTransition(rolled, settings, { kind: "rollback", automatic: true, from: 50 }, t0);
    expect(twice.ok ? "" : twice.refusal.message).toBe("already at 10%: this rollback was decided at 50%");
    expect(applyTransition(rolled, settings, { kind: "rollback" }, t0)).toMatchObject({
      ok: true,
      to: { percent: 0 },
    });
  });
  it("refuses at 0%", () => {
    const r = applyTransition(plan(), settings, { kind: "rollback" }, t0);
    expect(r.ok ? "" : r.refusal.message).toBe("already at 0%: nothing to roll back");
  });
  it("blocks advance until the cooldown ends", () => {
    const r = applyTransition(at50, settings, { kind: "rollback" }, t0);
    const after = withState(r.ok ? r.to : { percent: 0 });
    const during = applyTransition(
      after,
      settings,
      { kind: "advance", gate: gateFor(after, hours(48)) },
      hours(48),
    );
    expect(during.ok ? "" : during.refusal.reasons).toEqual([
      "cooldown: cooling down until 2026-11-25T10:00:00Z",
    ]);
    const later = applyTransition(
      after,
      settings,
      { kind: "advance", gate: gateFor(after, hours(73)) },
      hours(73),
    );
    expect(later).toMatchObject({ ok: true, to: { percent: 50, phase: "baking" } });
    expect(later.ok && "cooldown_until" in later.to).toBe(false);
  });
});

describe("pause, resume, complete", () => {
  it("pauses with a reason and resumes to baking, or to rolled_back while cooling", () => {
    const file = withState({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    const paused = applyTransition(file, settings, { kind: "pause", reason: "holiday" }, t0);
    expect(paused).toMatchObject({
      ok: true,
      to: { phase: "paused", reason: "holiday", started_at: t0.toISOString() },
    });
    const resumed = applyTransition(
      withState(paused.ok ? paused.to : file.state!),
      settings,
      { kind: "resume" },
      t0,
    );
    expect(resumed).toMatchObject({ ok: true, to: { percent: 10, phase: "baking" } });
    expect(resumed.ok && "reason" in resumed.to).toBe(false);
    const cooling = withState({ percent: 10, phase: "paused", cooldown_until: hours(5).toISOString() });
    expect(applyTransition(cooling, settings, { kind: "resume" }, t0)).toMatchObject({
      ok: true,
      to: { phase: "rolled_back" },
    });
    const notPaused = applyTransition(file, settings, { kind: "resume" }, t0);
    expect(notPaused.ok ? "" : notPaused.refusal.message).toBe("not paused (baking)");
  });
  it("completes the final stage only after its bake and on green", () => {
    const last = withState({ percent: 100, phase: "baking", started_at: t0.toISOString() });
    const early = applyTransition(
      last,
      settings,
      { kind: "complete", gate: gateFor(last, hours(0.5)) },
      hours(0.5),
    );
    expect(early.ok ? "" : early.refusal.reasons).toEqual(["bake: 30m of 1h baked"]);
    const done = applyTransition(
      last,
      settings,
      { kind: "complete", gate: gateFor(last, hours(1)) },
      hours(1),
    );
    expect(done).toMatchObject({ ok: true, to: { percent: 100, phase: "complete" } });
  });
});

describe("invariants (property-based)", () => {
  const percents = [10, 50, 100];
  const healthArb = fc.constantFrom(green, yellow);
  const transitionArb = fc.oneof(
    fc.record({
      kind: fc.constant("advance" as const),
      to: fc.option(fc.constantFrom(10, 30, 50, 100), { nil: undefined }),
      force: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant("rollback" as const),
      to: fc.option(fc.constantFrom<number | "previous">(0, 10, 50, 100, 75, "previous"), { nil: undefined }),
      automatic: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("pause" as const) }),
    fc.record({ kind: fc.constant("resume" as const) }),
    fc.record({ kind: fc.constant("complete" as const) }),
  );
  const stepArb = fc.record({
    t: transitionArb,
    health: healthArb,
    hoursLater: fc.integer({ min: 0, max: 100 }),
  });

  type Step = { t: unknown; health: HealthReport; hoursLater: number };
  function run(
    steps: Step[],
    check: (before: RolloutFile, t: Transition, after: State | undefined, now: Date) => void,
  ) {
    let file = plan();
    let now = t0;
    for (const step of steps) {
      now = new Date(now.getTime() + (step.hoursLater as number) * 3_600_000);
      const raw = step.t as {
        kind: Transition["kind"];
        to?: number | "previous";
        force?: boolean;
        automatic?: boolean;
      };
      const gate = gateFor(file, now, step.health as HealthReport);
      const t = (raw.kind === "advance" || raw.kind === "complete" ? { ...raw, gate } : raw) as Transition;
      const result = applyTransition(file, settings, t, now);
      check(file, t, result.ok ? result.to : undefined, now);
      if (result.ok) file = withState(result.to);
    }
  }

  it("the percent is always 0 or one of the plan's stages, and a rollback never raises it", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        run(steps as never, (before, t, after) => {
          if (!after) return;
          expect([0, ...percents]).toContain(after.percent);
          if (t.kind === "rollback") expect(after.percent).toBeLessThan(before.state?.percent ?? 0);
        });
      }),
    );
  });

  it("a paused, cooling or frozen rollout never advances", () => {
    const frozen = defaultSettings({
      freeze: [{ name: "always", start: "2000-01-01T00:00:00Z", end: "2100-01-01T00:00:00Z" }],
    });
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        run(steps as never, (before, t, after, now) => {
          const view = viewState(before);
          const cooling = view.cooldownUntil !== undefined && view.cooldownUntil > now;
          if (t.kind === "advance" && (view.phase === "paused" || cooling)) expect(after).toBeUndefined();
          if (t.kind === "advance") {
            const g = evaluateGate({ view, settings: frozen, health: green, now });
            expect(applyTransition(before, frozen, { ...t, gate: g, force: true }, now).ok).toBe(false);
          }
        });
      }),
    );
  });

  it("advance then rollback to previous returns to the previous percent", () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 10, 50), fc.integer({ min: 0, max: 1000 }), (start, h) => {
        const file = withState({
          percent: start,
          ...(start ? { phase: "baking" as const, started_at: t0.toISOString() } : {}),
        });
        const now = hours(h + 5);
        const up = applyTransition(file, settings, { kind: "advance", gate: gateFor(file, now) }, now);
        if (!up.ok) throw new Error(up.refusal.message);
        const down = applyTransition(withState(up.to), settings, { kind: "rollback", to: "previous" }, now);
        expect(down.ok && down.to.percent).toBe(start);
      }),
    );
  });
});
