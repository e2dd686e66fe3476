import { createTwoFilesPatch } from "diff";
import type { MutationOutcome } from "../../commands/mutate.ts";
import type { CommandOutcome } from "../../commands/run-command.ts";
import { formatDiagnostic } from "../../core/config/yaml-diagnostics.ts";
import {
  HEALTH_EMOJI,
  progressBar,
  renderStatusText,
  type StatusMessage,
} from "../../core/messages/status-message.ts";

/** Human and JSON renderings of command outcomes for the terminal, plus the exit code they imply. */

export function exitCodeOf(outcome: CommandOutcome): number {
  switch (outcome.kind) {
    case "refused":
    case "denied":
    case "stale":
      return 1;
    case "validate":
      return outcome.files.every((f) => f.ok) ? 0 : 1;
    case "status":
    case "list":
      return outcome.invalid.length === 0 ? 0 : 1;
    case "rollback-all":
    case "applied":
      return outcome.dispatches.every((d) => d.dispatched || d.unsupported) ? 0 : 1;
    case "rollback-all-repos":
      return outcome.denied.length === 0 && outcome.outcomes.every((o) => exitCodeOf(o) === 0) ? 0 : 1;
    default:
      return 0;
  }
}

export function statusJson(message: StatusMessage) {
  return {
    id: message.rollout,
    repo: message.repo,
    percent: message.percent,
    stage: message.stage,
    stages: message.stageCount,
    phase: message.phase,
    health: { status: message.health.status, reasons: message.health.reasons },
    timeInStage: message.timeInStage ?? null,
    bakeRemaining: message.bakeRemaining ?? null,
    cooldownUntil: message.cooldownUntil ?? null,
    reason: message.reason ?? null,
    gate: message.gate ?? null,
  };
}

function mutationJson(outcome: MutationOutcome) {
  if (outcome.kind === "refused") {
    return {
      result: "refused",
      rollout: outcome.rollout,
      message: outcome.message,
      reasons: outcome.reasons,
    };
  }
  const base = {
    result: outcome.kind === "planned" ? "planned" : "applied",
    plan: outcome.plan,
    status: statusJson(outcome.status),
  };
  if (outcome.kind === "planned") return base;
  if (outcome.kind === "proposed") return { ...base, result: "proposed", pullRequest: outcome.pr };
  return {
    ...base,
    commit: outcome.commit ?? null,
    urgentPullRequest: outcome.urgentPr ?? null,
    dispatches: outcome.dispatches,
    notified: outcome.notified,
  };
}

export function renderJson(outcome: CommandOutcome): unknown {
  switch (outcome.kind) {
    case "denied":
      return {
        result: "denied",
        repo: outcome.repo,
        rollout: outcome.rollout ?? null,
        reason: outcome.reason,
      };
    case "stale":
      return { result: "stale", ...outcome };
    case "rollback-all-repos":
      return { repos: outcome.outcomes.map(renderJson), denied: outcome.denied };
    case "help":
      return { help: outcome.text };
    case "status":
      return outcome.statuses.length === 1 && outcome.invalid.length === 0
        ? statusJson(outcome.statuses[0]!)
        : {
            rollouts: outcome.statuses.map(statusJson),
            invalid: outcome.invalid,
            unreadable: outcome.unreadable,
          };
    case "list":
      return {
        rollouts: outcome.rollouts.map(statusJson),
        invalid: outcome.invalid,
        unreadable: outcome.unreadable,
      };
    case "history":
      return outcome;
    case "validate":
      return { valid: outcome.files.every((f) => f.ok), files: outcome.files };
    case "tick":
      return {
        decisions: outcome.decisions.map((d) => ({
          rollout: d.rollout,
          action: d.action,
          health: d.health,
          posted: d.posted,
          outcome: d.outcome ? mutationJson(d.outcome) : null,
        })),
      };
    case "rollback-all":
      return {
        result: outcome.dryRun ? "planned" : "applied",
        rollouts: outcome.plans.map((p) => ({ id: p.rollout, from: p.from.percent, to: p.to.percent })),
        skipped: outcome.skipped,
        commit: outcome.commit ?? null,
        urgentPullRequest: outcome.urgentPr ?? null,
        commitMessage: outcome.commitMessage,
        dispatches: outcome.dispatches,
      };
    default:
      return mutationJson(outcome);
  }
}

/** A unified diff with one line of context: an advance shows as the two state lines it changes. */
function renderDiff(path: string, before: string, after: string): string[] {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, "", "", { context: 1 });
  return patch
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("====="))
    .map((line) => `    ${line}`);
}

function renderMutation(outcome: MutationOutcome): string {
  if (outcome.kind === "refused") {
    return [
      `✗ refused: ${outcome.rollout}: ${outcome.message}`,
      ...outcome.reasons.map((r) => `  · ${r}`),
    ].join("\n");
  }
  const { plan } = outcome;
  const lines = [outcome.kind === "planned" ? `dry run — would ${plan.summary}` : `✓ ${plan.summary}`];
  for (const edit of plan.edits) {
    lines.push(`  ${outcome.kind === "planned" ? "would edit" : "edited"} ${edit.path}`);
    lines.push(...renderDiff(edit.path, edit.before, edit.after));
  }
  if (outcome.kind === "planned") {
    for (const d of plan.dispatches) lines.push(`  would dispatch ${d.workflow} ${JSON.stringify(d.inputs)}`);
    for (const w of plan.flagWrites) {
      const where = `${w.target} ${w.flag}${w.environment ? `@${w.environment}` : ""}`;
      lines.push(`  would set ${where} to ${w.kind === "percent" ? `${w.value}%` : JSON.stringify(w.value)}`);
    }
    lines.push(
      "  commit message:",
      ...plan.commitMessage
        .trimEnd()
        .split("\n")
        .map((l) => `    ${l}`),
    );
    return lines.join("\n");
  }
  if (outcome.kind === "proposed") {
    const verb = outcome.pr.created ? "opened" : "refreshed";
    lines.push(`  ${verb} pull request #${outcome.pr.number}: ${outcome.pr.url}`);
    if (outcome.pr.note) lines.push(`  ⚠ ${outcome.pr.note}`);
    return lines.join("\n");
  }
  if (outcome.urgentPr) {
    lines.push(
      `  🚨 branch protection refused the commit: urgent pull request #${outcome.urgentPr.number} ${outcome.urgentPr.url}`,
    );
  } else if (outcome.commit) lines.push(`  committed ${outcome.commit.slice(0, 12)}`);
  else lines.push("  not committed (pass --commit to commit with audit trailers)");
  for (const d of outcome.dispatches) {
    lines.push(
      d.dispatched ? `  dispatched ${d.workflow}` : `  ⚠ ${d.workflow}: ${d.detail ?? "not dispatched"}`,
    );
  }
  lines.push("", renderStatusText(outcome.status));
  return lines.join("\n");
}

function renderInvalid(
  invalid: { path: string; diagnostics: Parameters<typeof formatDiagnostic>[0][] }[],
): string[] {
  return invalid.flatMap((f) => [
    `✗ ${f.path} is invalid:`,
    ...f.diagnostics.map((d) => `  ${formatDiagnostic(d)}`),
  ]);
}

export function renderHuman(outcome: CommandOutcome): string {
  switch (outcome.kind) {
    case "denied":
      return `✗ refused: ${outcome.reason}`;
    case "stale":
      return `✗ refused: ${outcome.rollout} moved from ${outcome.drawnAt}% to ${outcome.percent}%: nothing was changed`;
    case "rollback-all-repos":
      return [
        ...outcome.outcomes.map((o) => `${o.repo}:\n${renderHuman(o)}`),
        ...outcome.denied.map((d) => `✗ ${d.repo}: ${d.reason}`),
      ].join("\n\n");
    case "help":
      return outcome.text;
    case "status":
      return (
        [...outcome.statuses.map(renderStatusText), ...renderInvalid(outcome.invalid)].join("\n\n") ||
        "no rollouts"
      );
    case "list": {
      const rows = outcome.rollouts.map(
        (m) =>
          `${HEALTH_EMOJI[m.colour]} ${m.rollout.padEnd(24)} ${progressBar(m.percent, m.percents, 10)}  ${m.phase.replace("_", " ")}`,
      );
      return [
        ...(rows.length ? rows : ["no rollouts in .github/rollouts/"]),
        ...renderInvalid(outcome.invalid),
      ].join("\n");
    }
    case "history":
      if (outcome.entries.length === 0) return `${outcome.rollout}: no history (is this a git repository?)`;
      return outcome.entries
        .map((e) => {
          const when = e.date.slice(0, 16).replace("T", " ");
          if (!e.audit) return `${e.commit.slice(0, 8)} ${when} ${e.author}: ${e.subject}`;
          const a = e.audit;
          const move = a.from === a.to ? `at ${a.to}%` : `${a.from}% → ${a.to}%`;
          return `${e.commit.slice(0, 8)} ${when} ${a.action} ${move} by ${a.actor}${a.reason ? ` — ${a.reason}` : ""}`;
        })
        .join("\n");
    case "validate":
      return outcome.files.length === 0
        ? "no rollout files in .github/rollouts/"
        : outcome.files.flatMap((f) => (f.ok ? [`✓ ${f.path}`] : renderInvalid([f]))).join("\n");
    case "tick":
      return (
        outcome.decisions
          .map((d) => (d.outcome ? renderMutation(d.outcome) : renderStatusText(d.status)))
          .join("\n\n") || "no active rollouts"
      );
    case "rollback-all": {
      if (outcome.plans.length === 0) return "no active rollouts to roll back";
      const lines = [
        `${outcome.dryRun ? "dry run — would roll back" : "✓ rolled back"} ${outcome.plans.length} rollout(s) to 0% in one commit${outcome.commit ? ` ${outcome.commit.slice(0, 12)}` : ""}`,
        ...(outcome.urgentPr
          ? [
              `  🚨 branch protection refused the commit: merge urgent pull request #${outcome.urgentPr.number} ${outcome.urgentPr.url} (the rollback workflows ran already)`,
            ]
          : []),
        ...outcome.plans.map((p) => `  ${p.rollout}: ${p.from.percent}% → ${p.to.percent}%`),
        ...outcome.skipped.map((s) => `  skipped ${s.rollout}: ${s.why}`),
        ...outcome.dispatches.map((d) =>
          d.dispatched
            ? `  dispatched ${d.workflow} (${d.rollout})`
            : `  ⚠ ${d.workflow} (${d.rollout}): ${d.detail ?? "not dispatched"}`,
        ),
      ];
      for (const edit of outcome.dryRun ? outcome.edits : [])
        lines.push(...renderDiff(edit.path, edit.before, edit.after));
      return lines.join("\n");
    }
    default:
      return renderMutation(outcome);
  }
}
