import { describe, expect, it } from "vitest";
import type { State } from "../../src/core/config/schema.ts";
import { evaluateGate } from "../../src/core/rollout/gate.ts";
import type { HealthReport } from "../../src/core/rollout/health.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { defaultSettings, plan } from "../helpers/plans.ts";

/** The gate to advance, check by check: each says whether it passes and why, and all must pass. */

const t0 = new Date("2026-11-22T10:00:00Z");
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);
const green: HealthReport = { status: "green", reasons: [] };
const at = (state: State) => viewState({ ...plan(), state });

describe("evaluateGate", () => {
  it("opens when every check passes, saying so for each", () => {
    const view = at({ percent: 10, phase: "baking", started_at: t0.toISOString() });
    const gate = evaluateGate({
      view,
      settings: defaultSettings(),
      health: green,
      now: hours(2),
      approvals: { logins: ["ana", "bo"], teams: [] },
    });
    expect(gate).toEqual({
      open: true,
      nextPercent: 50,
      requiredApprovals: 2,
      checks: [
        { name: "stage", pass: true, detail: "10% → 50%" },
        { name: "bake", pass: true, detail: "2h of 1h baked" },
        { name: "health", pass: true, detail: "green" },
        { name: "approvals", pass: true, detail: "2 of 2 approvals" },
        { name: "paused", pass: true, detail: "not paused" },
        { name: "cooldown", pass: true, detail: "no cooldown" },
        { name: "freeze", pass: true, detail: "no freeze window" },
      ],
    });
  });

  it("stays closed on any one failing check, each with its reason", () => {
    const yellow: HealthReport = {
      status: "yellow",
      reasons: [
        { kind: "criterion", status: "green", pass: true, text: "p99 300ms (< 2s now)" },
        { kind: "criterion", status: "yellow", pass: false, text: "error_rate 2% (< 1% now)" },
        { kind: "alert", status: "yellow", pass: false, text: "warning alert Slow firing" },
      ],
    };
    const settings = defaultSettings({
      freeze: [{ name: "deploy freeze", start: "2026-11-22T00:00:00Z", end: "2026-11-23T00:00:00Z" }],
    });
    // At 50% the next stage (100%) names no approvals: the settings' default (1) applies.
    const view = at({
      percent: 50,
      phase: "paused",
      reason: "db migration",
      cooldown_until: hours(24).toISOString(),
    });
    const gate = evaluateGate({
      view,
      settings,
      health: yellow,
      now: hours(1),
      approvals: { logins: [], teams: [] },
    });
    expect(gate).toEqual({
      open: false,
      nextPercent: 100,
      requiredApprovals: 1,
      checks: [
        { name: "stage", pass: true, detail: "50% → 100%" },
        { name: "bake", pass: false, detail: "stage start unknown; needs 2h" },
        {
          name: "health",
          pass: false,
          detail: "yellow: error_rate 2% (< 1% now); warning alert Slow firing",
        },
        { name: "approvals", pass: false, detail: "0 of 1 approvals" },
        { name: "paused", pass: false, detail: "paused: db migration" },
        { name: "cooldown", pass: false, detail: "cooling down until 2026-11-23T10:00:00Z" },
        { name: "freeze", pass: false, detail: "freeze window 'deploy freeze' is active" },
      ],
    });
  });

  it("passes the bake at exactly its time and ends the cooldown at exactly its end", () => {
    const view = at({
      percent: 10,
      phase: "rolled_back",
      started_at: t0.toISOString(),
      cooldown_until: hours(1).toISOString(),
    });
    const gate = evaluateGate({ view, settings: defaultSettings(), health: green, now: hours(1) });
    expect(gate.checks.find((c) => c.name === "bake")).toEqual({
      name: "bake",
      pass: true,
      detail: "1h of 1h baked",
    });
    expect(gate.checks.find((c) => c.name === "cooldown")?.pass).toBe(true);
    const early = evaluateGate({ view, settings: defaultSettings(), health: green, now: hours(0.99) });
    expect(early.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(["bake", "cooldown"]);
  });

  it("needs no stage start for a stage without a bake; red health counts as failing", () => {
    const file = plan({ stages: [{ percent: 10 }, { percent: 100 }] });
    const view = viewState({ ...file, state: { percent: 10, phase: "paused" } });
    const red: HealthReport = {
      status: "red",
      reasons: [{ kind: "trigger", status: "red", pass: false, text: "error_rate 7% > 5% now" }],
    };
    const gate = evaluateGate({ view, settings: defaultSettings(), health: red, now: t0 });
    expect(gate.checks.slice(1, 3)).toEqual([
      { name: "bake", pass: true, detail: "stage start unknown; needs 0s" },
      { name: "health", pass: false, detail: "red: error_rate 7% > 5% now" },
    ]);
    // Without approvals counted (the local CLI) there is no approvals check at all.
    expect(gate.checks.map((c) => c.name)).not.toContain("approvals");
    expect(gate.checks.find((c) => c.name === "paused")?.detail).toBe("paused");
  });

  it("has nowhere to lead at the final stage or once complete", () => {
    for (const phase of ["baking", "complete"] as const) {
      const view = at({ percent: 100, phase, started_at: t0.toISOString() });
      const gate = evaluateGate({ view, settings: defaultSettings(), health: green, now: hours(5) });
      expect(gate.open).toBe(false);
      expect(gate.nextPercent).toBeUndefined();
      expect(gate.checks[0]).toEqual({
        name: "stage",
        pass: false,
        detail: "already at the final stage (100%)",
      });
    }
    const complete = at({ percent: 50, phase: "complete", started_at: t0.toISOString() });
    const gate = evaluateGate({ view: complete, settings: defaultSettings(), health: green, now: hours(5) });
    expect(gate.checks[0]).toEqual({
      name: "stage",
      pass: false,
      detail: "already at the final stage (50%)",
    });
  });
});
