import type { MutationOutcome } from "../../commands/mutate.ts";
import type { CommandOutcome } from "../../commands/run-command.ts";
import type { Diagnostic } from "../../core/config/yaml-diagnostics.ts";
import type { StatusMessage } from "../../core/messages/status-message.ts";
import { worst } from "../../core/rollout/health.ts";
import type { ProposalResult } from "../../ports.ts";

/**
 * What a command outcome means for a workflow step: its outputs, the annotations on invalid files,
 * warnings, and the failure (if any) that ends the step non-zero. Pure: the entry writes them out.
 */

export interface ActionOutputs {
  /**
   * The rollout's percentage on the default branch after the command (a bump PR changes it only once
   * merged; a dry run not at all); empty when the command concerned several rollouts.
   */
  percent: string;
  /** green / yellow / red: the worst health among the rollouts concerned; empty when none. */
  health: string;
  /** The bump PR opened or refreshed, or the urgent rollback PR; empty when none. */
  "pr-url": string;
  /** "true" when a commit or a pull request was made (never in a dry run). */
  changed: "true" | "false";
}

/** Mutation outcomes inside an outcome: the command's own, or each tick decision's. */
function mutationsOf(outcome: CommandOutcome): MutationOutcome[] {
  switch (outcome.kind) {
    case "refused":
    case "planned":
    case "proposed":
    case "applied":
      return [outcome];
    case "tick":
      return outcome.decisions.flatMap((d) => (d.outcome ? [d.outcome] : []));
    default:
      return [];
  }
}

/** The status of every rollout the outcome is about, after the command. */
export function statusesOf(outcome: CommandOutcome): StatusMessage[] {
  switch (outcome.kind) {
    case "status":
      return outcome.statuses;
    case "list":
      return outcome.rollouts;
    case "tick":
      return outcome.decisions.map((d) => d.status);
    case "rollback-all":
      return outcome.statuses;
    case "refused":
    case "planned":
    case "proposed":
    case "applied":
      return [outcome.status];
    default:
      return [];
  }
}

function pullRequestOf(mutation: MutationOutcome): ProposalResult | undefined {
  if (mutation.kind === "proposed") return mutation.pr;
  if (mutation.kind === "applied") return mutation.urgentPr;
  return undefined;
}

function changedBy(outcome: CommandOutcome): boolean {
  if (outcome.kind === "rollback-all") return outcome.commit !== undefined;
  return mutationsOf(outcome).some(
    (m) =>
      (m.kind === "applied" && (m.commit !== undefined || m.urgentPr !== undefined)) ||
      (m.kind === "proposed" && (m.pr.created || m.pr.branchUpdated)),
  );
}

/** A proposed or planned change has not happened: its status shows the target, the output the present. */
function percentIn(mutation: MutationOutcome | undefined, status: StatusMessage): string {
  const pending = mutation?.kind === "proposed" || mutation?.kind === "planned";
  return String(pending ? mutation.plan.from.percent : status.percent);
}

function percentOf(outcome: CommandOutcome, statuses: readonly StatusMessage[]): string {
  if (statuses.length !== 1) return "";
  const status = statuses[0]!;
  if (outcome.kind === "tick") return percentIn(outcome.decisions[0]?.outcome, status);
  return percentIn(mutationsOf(outcome)[0], status);
}

export function actionOutputs(outcome: CommandOutcome): ActionOutputs {
  const statuses = statusesOf(outcome);
  const pr = mutationsOf(outcome)
    .map(pullRequestOf)
    .find((p) => p !== undefined);
  return {
    percent: percentOf(outcome, statuses),
    health: statuses.length === 0 ? "" : worst(statuses.map((s) => s.health.status)),
    "pr-url": pr?.url ?? "",
    changed: changedBy(outcome) ? "true" : "false",
  };
}

/** Every problem found in a rollout or settings file, each becoming an `::error file=…,line=…::`. */
export function diagnosticsOf(outcome: CommandOutcome): Diagnostic[] {
  switch (outcome.kind) {
    case "validate":
      return outcome.files.flatMap((f) => f.diagnostics);
    case "status":
    case "list":
      return outcome.invalid.flatMap((f) => f.diagnostics);
    default:
      return [];
  }
}

function undispatched(dispatches: readonly { workflow: string; dispatched: boolean; detail?: string }[]) {
  return dispatches
    .filter((d) => !d.dispatched)
    .map((d) => `${d.workflow} was not dispatched: ${d.detail ?? "unknown reason"}`);
}

/** Why the step fails; undefined when it succeeds. */
export function failureOf(outcome: CommandOutcome): string | undefined {
  switch (outcome.kind) {
    case "denied":
      return `refused: ${outcome.reason}`;
    case "stale":
      return `refused: ${outcome.rollout} is at ${outcome.percent}%, not ${outcome.drawnAt}%`;
    case "refused":
      return [
        `refused: ${outcome.rollout}: ${outcome.message}`,
        ...outcome.reasons.map((r) => `  · ${r}`),
      ].join("\n");
    case "validate": {
      const bad = outcome.files.filter((f) => !f.ok);
      return bad.length === 0
        ? undefined
        : `${bad.length} invalid rollout file(s): ${bad.map((f) => f.path).join(", ")}`;
    }
    case "status":
    case "list":
      return outcome.invalid.length === 0
        ? undefined
        : `${outcome.invalid.length} invalid rollout file(s): ${outcome.invalid.map((f) => f.path).join(", ")}`;
    case "rollback-all": {
      const problems = undispatched(outcome.dispatches);
      return problems.length === 0 ? undefined : problems.join("\n");
    }
    default: {
      const problems = mutationsOf(outcome).flatMap((m) =>
        m.kind === "applied" ? undispatched(m.dispatches) : [],
      );
      return problems.length === 0 ? undefined : problems.join("\n");
    }
  }
}

/** Things that worked but need a person's attention. */
export function warningsOf(outcome: CommandOutcome): string[] {
  const warnings: string[] = [];
  for (const m of mutationsOf(outcome)) {
    if (m.kind === "refused" && outcome.kind === "tick") warnings.push(`${m.rollout}: ${m.message}`);
    if (m.kind === "applied" && m.urgentPr) {
      warnings.push(
        `${m.plan.rollout}: branch protection refused the rollback commit — merge urgent PR #${m.urgentPr.number} ${m.urgentPr.url} to record it in Git`,
      );
    }
    if (m.kind === "proposed" && m.pr.note) warnings.push(`${m.plan.rollout}: ${m.pr.note}`);
    if ((m.kind === "applied" || m.kind === "proposed") && !m.notified)
      warnings.push(`${m.plan.rollout}: the announcement could not be posted`);
  }
  for (const s of outcome.kind === "rollback-all" ? outcome.skipped : [])
    warnings.push(`skipped ${s.rollout}: ${s.why}`);
  return warnings;
}
