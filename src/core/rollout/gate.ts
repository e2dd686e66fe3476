import type { Stage } from "../config/schema.ts";
import type { Settings } from "../config/settings-schema.ts";
import { formatDuration } from "../duration.ts";
import { activeFreeze } from "./freeze.ts";
import type { HealthReport } from "./health.ts";
import { bakedSeconds, inCooldown, pausedSeconds, type StageView } from "./stage-view.ts";

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
  /** Approvals on the bump PR; omitted where no PR is involved (local CLI). */
  approvals?: Approvals;
  /** The rollout's stages: an advance that skips some needs the most any of them asks for. */
  stages?: readonly Stage[];
  /** Percent being advanced to; defaults to the next stage. */
  to?: number;
}

/** Who approved a bump PR, as counted: distinct writers, not the PR's author, not bots, not the requester. */
export interface Approvals {
  logins: readonly string[];
  /** The `org/team` slugs whose members approved (of the teams the stages ask for). */
  teams: readonly string[];
}

/** The stages an advance to `to` enters: every one above the current percentage, up to `to`. */
export function stagesEntered(stages: readonly Stage[], from: number, to: number): Stage[] {
  return stages.filter((s) => s.percent > from && s.percent <= to);
}

/** What entering those stages takes: the most approvals any of them asks for, and every team any names. */
export function approvalsNeeded(
  entered: readonly Stage[],
  fallback: number,
): { count: number; teams: string[] } {
  const count = Math.max(0, ...entered.map((s) => s.approvals ?? fallback));
  const teams = [...new Set(entered.flatMap((s) => s.approvals_from ?? []))].sort();
  return { count: entered.length === 0 ? fallback : count, teams };
}

/** Checks that `--force` may override; the others guard against acting at the wrong time. */
export const FORCEABLE: ReadonlySet<GateCheckName> = new Set(["bake", "health"]);

const fmtTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Bake time at this stage, the paused time not counted. Retrying the stage a rollback came down from
 * (Places API: "wait 2 days, retry phase 2") needs no new bake here: this stage baked on the way up;
 * the cooldown and green health still hold the gate.
 */
function bakeCheck(view: StageView, now: Date, nextPercent: number | undefined): GateCheck {
  const required = view.current?.bake ?? 0;
  if (view.rolledBackFrom !== undefined && nextPercent !== undefined && nextPercent <= view.rolledBackFrom) {
    return {
      name: "bake",
      pass: true,
      detail: `retry of ${view.rolledBackFrom}%: ${view.percent}% baked before the rollback; needs the cooldown and green health`,
    };
  }
  if (view.startedAt === undefined)
    return {
      name: "bake",
      pass: required === 0,
      detail: `stage start unknown; needs ${formatDuration(required)}`,
    };
  const baked = bakedSeconds(view, now);
  const paused = pausedSeconds(view, now);
  const pausedText = paused > 0 ? ` (${formatDuration(paused)} paused, not counted)` : "";
  return {
    name: "bake",
    pass: required === 0 || baked >= required,
    detail: `${formatDuration(baked)} of ${formatDuration(required)} baked${pausedText}`,
  };
}

export function evaluateGate({ view, settings, health, now, approvals, to, stages }: GateInput): Gate {
  const checks: GateCheck[] = [];
  const nextPercent = to ?? view.next?.stage.percent;
  const gate: Gate = { open: false, checks };
  if (view.phase === "complete" || nextPercent === undefined) {
    checks.push({ name: "stage", pass: false, detail: `already at the final stage (${view.percent}%)` });
  } else {
    gate.nextPercent = nextPercent;
    checks.push({ name: "stage", pass: true, detail: `${view.percent}% → ${nextPercent}%` });
  }
  if (view.current) checks.push(bakeCheck(view, now, nextPercent));
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
    const entered =
      stages && nextPercent !== undefined
        ? stagesEntered(stages, view.percent, nextPercent)
        : view.next
          ? [view.next.stage]
          : [];
    const needed = approvalsNeeded(entered, settings.defaults.approvals);
    gate.requiredApprovals = needed.count;
    const missingTeams = needed.teams.filter(
      (t) => !approvals.teams.some((a) => a.toLowerCase() === t.toLowerCase()),
    );
    const count = approvals.logins.length;
    checks.push({
      name: "approvals",
      pass: count >= needed.count && missingTeams.length === 0,
      detail: `${count} of ${needed.count} approvals${missingTeams.length > 0 ? `; still needs one from ${missingTeams.join(", ")}` : ""}`,
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
