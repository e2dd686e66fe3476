import { describe, expect, it } from "vitest";
import { alertPolicy, decideAlert } from "../../src/core/alerts/alert-policy.ts";
import type { RolloutFileInput, State } from "../../src/core/config/schema.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { plan } from "../helpers/plans.ts";

/** What an alert does is the rollout's choice, by severity; the decision is pure, the inbox carries it out. */

const baking: State = { percent: 50, phase: "baking", started_at: "2026-11-22T08:00:00Z" };
const alert = (severity: "critical" | "warning" | "info", extra: Record<string, string> = {}) => ({
  name: "CheckoutErrors",
  severity,
  status: "firing" as const,
  summary: "5xx above 5%",
  ...extra,
});
const decide = (file: ReturnType<typeof plan>, a: ReturnType<typeof alert>) =>
  decideAlert({ rollout: "checkout", file, view: viewState(file), alert: a });

describe("alertPolicy", () => {
  it("defaults: critical rolls back to the rollout's target, warning and info notify", () => {
    const file = plan({ state: baking });
    expect(alertPolicy(file, "critical")).toEqual({ action: "rollback" });
    expect(alertPolicy(file, "warning")).toEqual({ action: "notify" });
    expect(alertPolicy(file, "info")).toEqual({ action: "notify" });
  });

  it("is the rollout's choice: critical → 0%, warning → pause", () => {
    const file = plan({
      state: baking,
      alerts: { critical: { action: "rollback", to: 0 }, warning: { action: "pause" } },
    } as Partial<RolloutFileInput>);
    expect(decide(file, alert("critical"))).toEqual({
      kind: "rollback",
      to: 0,
      from: 50,
      reason: "alert CheckoutErrors: 5xx above 5%",
    });
    expect(decide(file, alert("warning"))).toEqual({
      kind: "pause",
      reason: "alert CheckoutErrors: 5xx above 5%",
    });
  });

  it("refuses `to` on an alert action that does not roll back", () => {
    expect(() =>
      plan({ alerts: { warning: { action: "notify", to: 0 } } } as Partial<RolloutFileInput>),
    ).toThrow(/to needs action: rollback/);
  });
});

describe("decideAlert", () => {
  it("pages instead of rolling back when auto-rollback is off, notifies on a warning, notes a resolve", () => {
    const file = plan({ state: baking, automation: { auto_rollback: false } });
    expect(decide(file, alert("critical"))).toEqual({
      kind: "page",
      reason: "alert CheckoutErrors: 5xx above 5%",
      headline:
        "🚨 alert CheckoutErrors: 5xx above 5% — auto-rollback is off: roll back with /rollout rollback checkout",
    });
    expect(decide(file, alert("warning"))).toMatchObject({
      kind: "notify",
      headline: "warning: alert CheckoutErrors: 5xx above 5%",
    });
    expect(decide(file, { ...alert("critical"), status: "resolved" as never })).toMatchObject({
      kind: "resolved",
      headline: "resolved: alert CheckoutErrors: 5xx above 5% — no action taken",
    });
  });

  it("acts in any phase: a new critical alert steps a rolled-back rollout down again", () => {
    const rolled = plan({
      state: { percent: 10, phase: "rolled_back", started_at: "2026-11-22T10:00:00Z", rolled_back_from: 50 },
    } as Partial<RolloutFileInput>);
    expect(decide(rolled, alert("critical", { startsAt: "2026-11-22T10:30:00Z" }))).toMatchObject({
      kind: "rollback",
      from: 10,
    });
    // An alert that began firing before the rollback is the episode the rollback answered: no cascade.
    expect(decide(rolled, alert("critical", { startsAt: "2026-11-22T09:58:00Z" }))).toEqual({
      kind: "handled",
      detail: "CheckoutErrors began firing before the rollback to 10%, which answered it",
    });
    // …unless the rollout sends critical alerts to 0%: an emergency acts until 0%.
    const emergency = plan({
      state: { percent: 10, phase: "rolled_back", started_at: "2026-11-22T10:00:00Z" },
      alerts: { critical: { action: "rollback", to: 0 } },
    } as Partial<RolloutFileInput>);
    expect(decide(emergency, alert("critical", { startsAt: "2026-11-22T09:58:00Z" }))).toMatchObject({
      kind: "rollback",
      to: 0,
    });
  });
});
