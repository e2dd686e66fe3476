import type { RolloutFile } from "../config/schema.ts";
import { formatDuration } from "../duration.ts";
import type { Gate } from "../rollout/gate.ts";
import type { HealthReport, HealthStatus } from "../rollout/health.ts";
import { bakedSeconds, type StageView, stageElapsedSeconds } from "../rollout/stage-view.ts";

/** The status message model: one per rollout, rendered as terminal text here and as Slack blocks in slack-blocks.ts. */

export type StatusEvent =
  | "status"
  | "started"
  | "advanced"
  | "stage_passed"
  | "rolled_back"
  | "paused"
  | "resumed"
  | "completed"
  | "alert"
  | "alert_resolved"
  /** The health differs from the last one posted (green/yellow/red, data missing, a trigger firing). */
  | "health_changed";

/** A bump PR waiting to merge: the rollout is still where it was until it does. */
export interface Proposed {
  percent: number;
  pr?: { number: number; url: string };
}

export interface StatusMessage {
  rollout: string;
  repo: string;
  /** The rollout file, for links. */
  path?: string;
  event: StatusEvent;
  headline: string;
  /** The colour shown: the health, except that a rollback is always announced red. */
  colour: HealthStatus;
  health: HealthReport;
  percent: number;
  stage: number;
  stageCount: number;
  percents: number[];
  phase: StageView["phase"];
  timeInStage?: string;
  bakeRemaining?: string;
  cooldownUntil?: string;
  reason?: string;
  gate?: Gate;
  /** Set while a bump PR proposes the next percent: shown as a proposal, not as the current stage. */
  proposed?: Proposed;
  channel?: string;
  links: Record<string, string>;
}

export const HEALTH_EMOJI: Record<HealthStatus, string> = { green: "🟢", yellow: "🟡", red: "🔴" };

export interface StatusInput {
  id: string;
  repo: string;
  path?: string | undefined;
  file: RolloutFile;
  view: StageView;
  health: HealthReport;
  now: Date;
  event?: StatusEvent;
  headline?: string;
  gate?: Gate;
  proposed?: Proposed;
}

export function buildStatusMessage(input: StatusInput): StatusMessage {
  const { id, repo, file, view, health, now } = input;
  const message: StatusMessage = {
    rollout: id,
    repo,
    event: input.event ?? "status",
    headline: input.headline ?? `${id} at ${view.percent}% (${view.phase.replace("_", " ")})`,
    colour: input.event === "rolled_back" ? "red" : health.status,
    health,
    percent: view.percent,
    stage: view.stage,
    stageCount: view.stageCount,
    percents: file.stages.map((s) => s.percent),
    phase: view.phase,
    links: { ...(file.links ?? {}) },
  };
  if (input.path !== undefined) message.path = input.path;
  if (view.startedAt) {
    const elapsed = stageElapsedSeconds(view, now);
    message.timeInStage = formatDuration(elapsed);
    const bake = view.current?.bake ?? 0;
    // The bake clock stops while paused.
    if (view.stage > 0 && view.phase !== "complete")
      message.bakeRemaining = formatDuration(Math.max(0, bake - bakedSeconds(view, now)));
  }
  if (view.cooldownUntil && view.cooldownUntil > now)
    message.cooldownUntil = view.cooldownUntil.toISOString();
  if (view.reason) message.reason = view.reason;
  if (input.gate) message.gate = input.gate;
  if (input.proposed) message.proposed = input.proposed;
  if (file.notify?.slack_channel) message.channel = file.notify.slack_channel;
  return message;
}

/**
 * `██████░░░░ 25%  5 › [25] › 50 › 100`: fill to the percent, stages listed with the current one marked
 * (and a proposed one as `50 (proposed)`).
 */
export function progressBar(
  percent: number,
  percents: readonly number[],
  width = 20,
  proposed?: number,
): string {
  const filled = Math.round((percent / 100) * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const stages = [0, ...percents]
    .map((p) => (p === percent ? `[${p}]` : p === proposed ? `${p} (proposed)` : String(p)))
    .join(" › ");
  return `${bar} ${String(percent).padStart(3)}%  ${stages}`;
}

/** `proposed 50%: waiting for approval (PR #12)`. */
export function proposalFact(proposed: Proposed): string {
  return `proposed ${proposed.percent}%: waiting for approval${proposed.pr ? ` (PR #${proposed.pr.number})` : ""}`;
}

/**
 * A proposal's gate judged without its approvals (they are counted on the bump PR, by its check): not
 * "open" — the PR waits for them. Undefined for any other gate.
 */
export function awaitingApproval(message: StatusMessage): string | undefined {
  const gate = message.gate;
  if (!message.proposed || !gate?.open || gate.checks.some((c) => c.name === "approvals")) return undefined;
  const pr = message.proposed.pr ? ` on PR #${message.proposed.pr.number}` : "";
  return `waiting for approval${pr} — bake, health and the other checks pass`;
}

export function renderStatusText(message: StatusMessage): string {
  const lines = [`${HEALTH_EMOJI[message.colour]} ${message.headline}`];
  lines.push(`   ${progressBar(message.percent, message.percents, 20, message.proposed?.percent)}`);
  const facts: string[] = [`stage ${message.stage}/${message.stageCount}`, message.phase.replace("_", " ")];
  if (message.proposed) facts.push(proposalFact(message.proposed));
  if (message.timeInStage) facts.push(`in stage ${message.timeInStage}`);
  if (message.bakeRemaining) facts.push(`bake remaining ${message.bakeRemaining}`);
  if (message.cooldownUntil) facts.push(`cooldown until ${message.cooldownUntil.replace(".000Z", "Z")}`);
  lines.push(`   ${facts.join(" · ")}`);
  if (message.reason) lines.push(`   reason: ${message.reason}`);
  for (const reason of message.health.reasons) {
    lines.push(`   ${reason.pass ? "✓" : "✗"} ${reason.text}`);
  }
  if (message.gate && message.gate.nextPercent !== undefined) {
    const failing = message.gate.checks.filter((c) => !c.pass);
    const waiting = awaitingApproval(message);
    lines.push(
      waiting
        ? `   gate to ${message.gate.nextPercent}%: ${waiting}`
        : message.gate.open
          ? `   gate to ${message.gate.nextPercent}%: open`
          : `   gate to ${message.gate.nextPercent}%: closed — ${failing.map((c) => c.detail).join("; ")}`,
    );
  }
  return lines.join("\n");
}
