import type { Settings } from "../config/settings-schema.ts";
import { formatDuration } from "../duration.ts";
import { activeFreeze } from "./freeze.ts";
import type { HealthReport } from "./health.ts";
import { inCooldown, type StageView, stageElapsedSeconds } from "./stage-view.ts";

/** The gate to advance: bake elapsed, green over the stage, approvals met, not paused, cooling or frozen. */

export type GateCheckName = "stage" | "bake" | "health" | "approvals" | "paused" | "cooldown" | "freeze";

export interface GateCheck {
  name: GateCheckName;
  pass: boolean;
  detail: string;
}

export interface Gate {
  open: boolean;
  checks: GateCheck[];
  /** Percent the gate leads to, when there is a next stage. */
  nextPercent?: number;
  requiredApprovals?: number;
}

export interface GateInput {
  view: StageView;
  settings: Settings;
  health: HealthReport;
  now: Date;
  /** Approvals counted on the bump PR; omitted where no PR is involved (local CLI). */
  approvals?: number;
  /** Percent being advanced to; defaults to the next stage. */
  to?: number;
}

/** Checks that `--force` may override; the others guard against acting at the wrong time. */
export const FORCEABLE: ReadonlySet<GateCheckName> = new Set(["bake", "health"]);

const fmtTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function evaluateGate({ view, settings, health, now, approvals, to }: GateInput): Gate {
  const checks: GateCheck[] = [];
  const nextPercent = to ?? view.next?.stage.percent;
  const gate: Gate = { open: false, checks };
  if (view.phase === "complete" || nextPercent === undefined) {
    checks.push({ name: "stage", pass: false, detail: `already at the final stage (${view.percent}%)` });
  } else {
    gate.nextPercent = nextPercent;
    checks.push({ name: "stage", pass: true, detail: `${view.percent}% → ${nextPercent}%` });
  }
  if (view.current) {
    const required = view.current.bake ?? 0;
    const elapsed = stageElapsedSeconds(view, now);
    const known = view.startedAt !== undefined;
    checks.push({
      name: "bake",
      pass: required === 0 || (known && elapsed >= required),
      detail: known
        ? `${formatDuration(elapsed)} of ${formatDuration(required)} baked`
        : `stage start unknown; needs ${formatDuration(required)}`,
    });
  }
  checks.push({
    name: "health",
    pass: health.status === "green",
    detail:
      health.status === "green"
        ? "green"
        : `${health.status}: ${health.reasons
            .filter((r) => !r.pass)
            .map((r) => r.text)
            .join("; ")}`,
  });
  if (approvals !== undefined) {
    const nextStage = view.next?.stage;
    const required = nextStage?.approvals ?? settings.defaults.approvals;
    gate.requiredApprovals = required;
    checks.push({
      name: "approvals",
      pass: approvals >= required,
      detail: `${approvals} of ${required} approvals`,
    });
  }
  const paused = view.phase === "paused";
  checks.push({
    name: "paused",
    pass: !paused,
    detail: paused ? `paused${view.reason ? `: ${view.reason}` : ""}` : "not paused",
  });
  const cooling = inCooldown(view, now);
  checks.push({
    name: "cooldown",
    pass: !cooling,
    detail:
      cooling && view.cooldownUntil ? `cooling down until ${fmtTime(view.cooldownUntil)}` : "no cooldown",
  });
  const freeze = activeFreeze(settings.freeze, now);
  checks.push({
    name: "freeze",
    pass: freeze === undefined,
    detail: freeze ? `freeze window '${freeze.name}' is active` : "no freeze window",
  });
  gate.open = checks.every((c) => c.pass);
  return gate;
}
