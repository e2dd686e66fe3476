import { alertPolicy } from "../alerts/alert-policy.ts";
import type { RolloutFile } from "../config/schema.ts";
import type { Gate } from "./gate.ts";
import type { HealthReport, Reason } from "./health.ts";
import type { StageView } from "./stage-view.ts";

/**
 * What the evaluation loop does on its own with one rollout, given how it stands: roll back when a
 * rollback trigger holds (when auto-rollback is on) — in any phase, on the current stage's own data —
 * pause when a pause trigger holds, complete after the final bake, open the bump PR when the gate is
 * open (when auto-advance is on), or nothing. The same rule for the server's scheduler, the Action's
 * tick and a `status` that finds the rollout red.
 */

export type AutomaticAction =
  /** `from`: the percent decided at; the transition refuses once the rollout has moved. */
  | { action: "rollback"; to?: number | "previous" | undefined; from: number; reason: string }
  | { action: "pause"; reason: string }
  | { action: "complete" }
  | { action: "advance" }
  | { action: "none" };

export const DEFAULT_AUTOMATION = { auto_advance: false, auto_rollback: true, auto_merge: false } as const;

/** Checks that do not hold a final stage back from completing: there is nothing to approve or freeze. */
const NOT_FOR_COMPLETION: ReadonlySet<string> = new Set(["stage", "freeze", "approvals"]);

/** The lowest numeric target asked for (0 beats a stage), else the first `previous`, else the plan's. */
function lowestTarget(targets: (number | "previous" | undefined)[]): number | "previous" | undefined {
  const numbers = targets.filter((t): t is number => typeof t === "number");
  if (numbers.length > 0) return Math.min(...numbers);
  return targets.find((t) => t !== undefined);
}

/** Triggers holding on data (not missing, not a window still filling) with this action. */
function holding(health: HealthReport, action: "rollback" | "pause"): Reason[] {
  return health.reasons.filter(
    (r) =>
      r.kind === "trigger" &&
      !r.pass &&
      r.value !== undefined &&
      r.pending === undefined &&
      (r.action ?? "rollback") === action,
  );
}

export function decideAutomation(input: {
  file: RolloutFile;
  view: StageView;
  health: HealthReport;
  gate: Gate;
}): AutomaticAction {
  const { file, view, health, gate } = input;
  const automation = file.automation ?? DEFAULT_AUTOMATION;
  if (view.phase === "complete") return { action: "none" };
  const triggers = holding(health, "rollback");
  // A critical alert in the book rolls back unless a rollback has answered it already (the inbox acts on
  // each new alert at once, in any phase); a rollout sending its critical alerts to 0% goes on until 0%.
  const alerts = health.reasons.filter((r) => {
    if (r.kind !== "alert" || r.severity === undefined) return false;
    const policy = alertPolicy(file, r.severity);
    return policy.action === "rollback" && (view.phase !== "rolled_back" || policy.to === 0);
  });
  if ((triggers.length > 0 || alerts.length > 0) && automation.auto_rollback && view.percent > 0) {
    const targets = [
      ...triggers.map((r) => r.rollbackTo),
      ...alerts.map((r) => (r.severity ? alertPolicy(file, r.severity).to : undefined)),
    ];
    return {
      action: "rollback",
      to: lowestTarget(targets),
      from: view.percent,
      reason: `automatic: ${[...triggers, ...alerts].map((r) => r.text).join("; ")}`,
    };
  }
  const pause = holding(health, "pause");
  // Once a person has resumed this stage, a pause trigger warns instead of pausing it again.
  const resumedHere = (view.pausedSeconds ?? 0) > 0;
  if (pause.length > 0 && view.percent > 0 && view.phase !== "paused" && !resumedHere)
    return { action: "pause", reason: `automatic: ${pause.map((r) => r.text).join("; ")}` };
  if (
    view.next === undefined &&
    view.stage > 0 &&
    gate.checks.every((c) => c.pass || NOT_FOR_COMPLETION.has(c.name))
  )
    return { action: "complete" };
  if (gate.open && automation.auto_advance) return { action: "advance" };
  return { action: "none" };
}
