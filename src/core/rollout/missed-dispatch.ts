import type { RolloutFile } from "../config/schema.ts";
import { type AuditRecord, isBotCommit, parseCommitMessage } from "../messages/commit-message.ts";
import type { WorkflowDispatch } from "./plan.ts";
import { plannedDispatches } from "./planned-dispatches.ts";

/**
 * Git is the truth: the newest transition the bot committed for a rollout should have caused the
 * workflow runs its plan dispatches. A process killed between its commit and its dispatch leaves a
 * commit without them; these pure decisions find it (the shell reads history and runs, and acts).
 */

/** How far back a transition is looked at: a dispatch missing longer than this is left to people. */
export const RECONCILE_WINDOW_MS = 60 * 60_000;

export interface CommitEntry {
  commit: string;
  /**
   * The host's commit time (ISO): runs it caused were created at or after it, on the same clock. Ages
   * are judged from the file's `started_at` instead, written on the bot's clock.
   */
  date: string;
  message: string;
}

export interface WorkflowRun {
  headSha: string;
  createdAt: string;
}

export type MissedDispatch =
  | { kind: "none"; why: string }
  /** Too young to judge: the process that committed it may still be dispatching. */
  | { kind: "wait" }
  | { kind: "check"; commit: string; date: string; record: AuditRecord; dispatches: WorkflowDispatch[] };

/**
 * Whether the rollout changed recently enough to look at, from its file alone (no request): a
 * transition that dispatches changes the percentage, and every such change writes `started_at`
 * (a merged bump PR's start is its merge time, loadRepo fills it in).
 */
export function changedRecently(file: RolloutFile, now: Date, windowMs = RECONCILE_WINDOW_MS): boolean {
  const started = file.state?.started_at;
  if (started === undefined) return false;
  const age = now.getTime() - Date.parse(started);
  return Number.isFinite(age) && age < windowMs;
}

/**
 * The transition to check in a rollout file's history (newest first): the newest commit that is not
 * a bot commit leaving the percentage alone (pause, resume, complete dispatch nothing). A person's
 * commit there means people changed the file since: left to them (a push dispatches on its own).
 */
export function missedDispatch(input: {
  rollout: string;
  file: RolloutFile;
  history: readonly CommitEntry[];
  now: Date;
  /** Younger transitions may belong to a live process (the lease TTL). */
  minAgeMs: number;
  windowMs?: number;
}): MissedDispatch {
  const { rollout, file, now } = input;
  const windowMs = input.windowMs ?? RECONCILE_WINDOW_MS;
  if (!changedRecently(file, now, windowMs)) return { kind: "none", why: "the newest transition is old" };
  // Every transition that dispatches writes started_at (a merged bump PR's is its merge time).
  const age = now.getTime() - Date.parse(file.state?.started_at ?? "");
  for (const entry of input.history) {
    const record = isBotCommit(entry.message) ? parseCommitMessage(entry.message, rollout) : undefined;
    if (!record || record.rollout !== rollout)
      return { kind: "none", why: "the newest change is not the bot's" };
    if (record.from === record.to) continue;
    if (file.state?.percent !== record.to)
      return { kind: "none", why: "the file no longer holds the percentage the transition wrote" };
    const dispatches = plannedDispatches(file, record);
    if (dispatches.length === 0) return { kind: "none", why: "the transition dispatches nothing" };
    if (age < input.minAgeMs) return { kind: "wait" };
    return { kind: "check", commit: entry.commit, date: entry.date, record, dispatches };
  }
  return { kind: "none", why: "no transition in the history" };
}

/**
 * Whether the runs of a workflow (workflow_dispatch runs created since `date`) include the one this
 * commit caused. Runs do not show their inputs: a run on the commit itself is ours; a run on another
 * head counts too (the dispatch went out after later commits landed) unless that head is another
 * rollout's own transition commit, whose run it is.
 */
export function runsCover(
  check: { commit: string; date: string },
  runs: readonly WorkflowRun[],
  otherTransitions: ReadonlySet<string>,
): boolean {
  const since = Date.parse(check.date);
  return runs.some(
    (r) =>
      r.headSha === check.commit || (Date.parse(r.createdAt) >= since && !otherTransitions.has(r.headSha)),
  );
}
