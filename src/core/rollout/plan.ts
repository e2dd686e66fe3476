import type { Rollout } from "../config/rollout-file.ts";
import type { State } from "../config/schema.ts";
import { applySyncTarget, type SyncEvent } from "../config/sync-target.ts";
import { editYaml, renderStateEdit } from "../config/yaml-edit.ts";
import { type FlagWrite, flagWrites } from "../flags/flag-writes.ts";
import { type AuditRecord, renderCommitMessage } from "../messages/commit-message.ts";
import type { Gate } from "./gate.ts";
import type { HealthReport } from "./health.ts";
import { plannedDispatches } from "./planned-dispatches.ts";
import type { TransitionResult } from "./transition.ts";

/**
 * A plan is everything a mutating command would do, computed without doing it: the file edits, the
 * commit message with its audit trailers, and the workflows to dispatch. `--dry-run` prints it; the
 * shell applies it through the ports.
 */

export type Action = "advance" | "rollback" | "pause" | "resume" | "complete";

export interface FileEdit {
  path: string;
  before: string;
  after: string;
  baseVersion?: string | undefined;
}

export interface WorkflowDispatch {
  workflow: string;
  ref?: string | undefined;
  inputs: Record<string, string>;
}

export interface Plan {
  action: Action;
  rollout: string;
  path: string;
  from: State;
  to: State;
  summary: string;
  actor: string;
  reason?: string;
  edits: FileEdit[];
  commitMessage: string;
  dispatches: WorkflowDispatch[];
  /** Flags in flag services this change sets (reconcileFlags applies them after the commit). */
  flagWrites: FlagWrite[];
  evidence: string[];
}

export interface PlanInput {
  rollout: Rollout;
  action: Action;
  result: Extract<TransitionResult, { ok: true }>;
  actor: string;
  reason?: string | undefined;
  forced?: boolean;
  health: HealthReport;
  gate?: Gate | undefined;
  /** The rollout file's version (blob sha) for compare-and-swap. */
  baseVersion?: string | undefined;
  /** Current text and version of each sync file, by path; missing files are reported. */
  syncFiles: ReadonlyMap<string, { text: string; version?: string | undefined }>;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; message: string; details: string[] };

export function evidenceLines(health: HealthReport, gate?: Gate): string[] {
  const lines = health.reasons.map((r) => `${r.pass ? "ok" : "FAIL"} ${r.text}`);
  for (const check of gate?.checks ?? []) {
    if (check.name !== "health")
      lines.push(`${check.pass ? "ok" : "FAIL"} gate ${check.name}: ${check.detail}`);
  }
  return lines;
}

/**
 * Every sync target's edit for the new percentage, in the same commit as the state: the percentage
 * itself or the typed value for the stage (or for a rollback). Several targets in one file edit it
 * one after another; a target with nothing to write for this change leaves its file alone.
 */
function syncEdits(
  input: PlanInput,
  percent: number,
  event: SyncEvent,
): { edits: FileEdit[]; errors: string[] } {
  const byFile = new Map<string, FileEdit>();
  const errors: string[] = [];
  for (const target of input.rollout.file.sync) {
    const current = input.syncFiles.get(target.file);
    if (current === undefined) {
      errors.push(`${target.file}: sync file not found`);
      continue;
    }
    const edit = byFile.get(target.file) ?? {
      path: target.file,
      before: current.text,
      after: current.text,
      baseVersion: current.version,
    };
    const applied = applySyncTarget(edit.after, target, percent, event);
    // The message starts with the file already.
    if (!applied.ok) errors.push(applied.message);
    else byFile.set(target.file, { ...edit, after: applied.text });
  }
  return { edits: [...byFile.values()].filter((e) => e.after !== e.before), errors };
}

export function buildPlan(input: PlanInput): PlanResult {
  const { rollout, action, result } = input;
  let after = renderStateEdit(rollout.text, result.to);
  // The salt applications split users by (rollout-bot/bucketing): written once, when the rollout
  // first takes traffic, so renaming the file later cannot reshuffle who is in.
  if (result.from.percent === 0 && result.to.percent > 0 && rollout.file.bucketing?.salt === undefined) {
    after = editYaml(after, [{ path: ["bucketing", "salt"], value: rollout.id }]);
  }
  const edits: FileEdit[] = [
    { path: rollout.path, before: rollout.text, after, baseVersion: input.baseVersion },
  ];
  const percentChanged = result.from.percent !== result.to.percent;
  const event = action === "rollback" ? "rollback" : "advance";
  if (percentChanged) {
    const sync = syncEdits(input, result.to.percent, event);
    if (sync.errors.length > 0) {
      return { ok: false, message: "cannot update the files kept in sync", details: sync.errors };
    }
    edits.push(...sync.edits);
  }
  const evidence = evidenceLines(input.health, input.gate);
  const record: AuditRecord = {
    rollout: rollout.id,
    action,
    from: result.from.percent,
    to: result.to.percent,
    actor: input.actor,
    evidence,
  };
  if (input.reason) record.reason = input.reason;
  if (input.forced) record.forced = true;
  const dispatches = plannedDispatches(rollout.file, {
    rollout: rollout.id,
    action,
    from: result.from.percent,
    to: result.to.percent,
    reason: input.reason,
  });
  const plan: Plan = {
    action,
    rollout: rollout.id,
    path: rollout.path,
    from: result.from,
    to: result.to,
    summary: `${action} ${rollout.id}: ${result.summary}`,
    actor: input.actor,
    edits,
    commitMessage: renderCommitMessage(record),
    dispatches,
    flagWrites: percentChanged ? flagWrites(rollout.file, result.to.percent, event) : [],
    evidence,
  };
  if (input.reason) plan.reason = input.reason;
  return { ok: true, plan };
}
