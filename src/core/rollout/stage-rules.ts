import type { RolloutFile, Trigger } from "../config/schema.ts";
import type { Settings } from "../config/settings-schema.ts";
import type { StageView } from "./stage-view.ts";

/** The rules in force at the current stage: its own triggers, cooldown and warm-up over the rollout-wide ones. */

/** Criteria and triggers count this long after a change of percentage (the queries' own `rate(…[5m])` included). */
export const DEFAULT_WARMUP_SECONDS = 300;

export interface ActiveTrigger {
  trigger: Trigger;
  /** Stable name of the trigger in the file, e.g. `rollback.triggers[0]`: what a health change is told by. */
  key: string;
}

/** The stage's own triggers first, then the rollout-wide ones unless the stage says `inherit_triggers: false`. */
export function activeTriggers(file: RolloutFile, view: StageView): ActiveTrigger[] {
  const stage = view.current;
  const own = (stage?.triggers ?? []).map((trigger, i) => ({
    trigger,
    key: `stages[${view.stage - 1}].triggers[${i}]`,
  }));
  if (stage?.inherit_triggers === false) return own;
  const shared = (file.rollback?.triggers ?? []).map((trigger, i) => ({
    trigger,
    key: `rollback.triggers[${i}]`,
  }));
  return [...own, ...shared];
}

/** An emergency (`to: 0`) acts in any phase and during the warm-up: it only waits for its own window. */
export function isEmergency(trigger: Trigger): boolean {
  return (trigger.action ?? "rollback") === "rollback" && trigger.to === 0;
}

export function warmupSeconds(file: RolloutFile, view: StageView): number {
  return view.current?.warmup ?? file.warmup ?? DEFAULT_WARMUP_SECONDS;
}

/** Cooldown after a rollback from the current stage: the stage's, else the rollout's, else the settings'. */
export function cooldownSeconds(file: RolloutFile, view: StageView, settings: Settings): number {
  return view.current?.cooldown ?? file.rollback?.cooldown ?? settings.defaults.cooldown ?? 0;
}
