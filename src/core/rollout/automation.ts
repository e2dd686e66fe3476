import type { RolloutFile } from "../config/schema.ts";
import type { Gate } from "./gate.ts";
import type { HealthReport } from "./health.ts";
import type { StageView } from "./stage-view.ts";

/**
 * What the evaluation loop does on its own with one rollout, given how it stands: roll back on red
 * (when auto-rollback is on), complete after the final bake, open the bump PR when the gate is open
 * (when auto-advance is on), or nothing. The same rule for the server's scheduler and the Action's tick.
 */

export type AutomaticAction =
  | { action: "rollback"; to?: number | "previous" | undefined; reason: string }
  | { action: "complete" }
  | { action: "advance" }
  | { action: "none" };

export const DEFAULT_AUTOMATION = { auto_advance: false, auto_rollback: true, auto_merge: false } as const;

/** Checks that do not hold a final stage back from completing: there is nothing to approve or freeze. */
const NOT_FOR_COMPLETION: ReadonlySet<string> = new Set(["stage", "freeze", "approvals"]);

export function decideAutomation(input: {
  file: RolloutFile;
  view: StageView;
  health: HealthReport;
  gate: Gate;
}): AutomaticAction {
  const { file, view, health, gate } = input;
  const automation = file.automation ?? DEFAULT_AUTOMATION;
  if (
    health.status === "red" &&
    automation.auto_rollback &&
    view.phase !== "rolled_back" &&
    view.percent > 0
  ) {
    const red = health.reasons.filter((r) => r.status === "red");
    const fired = red.find((r) => r.rollbackTo !== undefined);
    return {
      action: "rollback",
      to: fired?.rollbackTo,
      reason: `automatic: ${red.map((r) => r.text).join("; ")}`,
    };
  }
  if (
    view.next === undefined &&
    view.stage > 0 &&
    gate.checks.every((c) => c.pass || NOT_FOR_COMPLETION.has(c.name))
  )
    return { action: "complete" };
  if (gate.open && automation.auto_advance) return { action: "advance" };
  return { action: "none" };
}
