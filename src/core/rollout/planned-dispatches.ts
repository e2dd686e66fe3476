import type { RolloutFile } from "../config/schema.ts";
import type { WorkflowDispatch } from "./plan.ts";

/**
 * The workflows a transition dispatches once its change is on the default branch: the rollback
 * workflow for a rollback, the on-change workflow for any other change of percentage. Plans use it,
 * and so does the reconcile that finds a committed transition whose dispatch never happened.
 */
export function plannedDispatches(
  file: RolloutFile,
  change: { rollout: string; action: string; from: number; to: number; reason?: string | undefined },
): WorkflowDispatch[] {
  const workflows = file.workflows;
  const inputs = { rollout: change.rollout, from: String(change.from), to: String(change.to) };
  if (change.action === "rollback" && workflows?.rollback)
    return [
      {
        workflow: workflows.rollback,
        ref: workflows.ref,
        inputs: { ...inputs, reason: change.reason ?? "" },
      },
    ];
  if (change.from !== change.to && workflows?.on_change)
    return [{ workflow: workflows.on_change, ref: workflows.ref, inputs }];
  return [];
}
