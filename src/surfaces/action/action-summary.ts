import type { CommandOutcome } from "../../commands/run-command.ts";
import { formatDiagnostic } from "../../core/config/yaml-diagnostics.ts";
import { renderStageTimeline } from "../../core/messages/stage-timeline.ts";
import { HEALTH_EMOJI, type StatusMessage } from "../../core/messages/status-message.ts";
import { renderHuman } from "../cli/cli-render.ts";
import { failureOf, statusesOf, warningsOf } from "./action-outputs.ts";

/** The job summary (`$GITHUB_STEP_SUMMARY`): GitHub-flavoured Markdown, pure. */

/** Table cells hold user text (reasons, metric names): keep it from closing the cell or opening HTML. */
function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}

/** A fence longer than any run of backticks inside, so no text can end the block early. */
function codeBlock(text: string): string[] {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}text`, text, fence];
}

/** More rollouts than this in one summary get the table only. */
const MAX_TIMELINES = 10;

/** Rollouts whose change is proposed or planned, not made: their rows show `from → to`. */
function pendingFrom(outcome: CommandOutcome): Map<string, number> {
  const mutations =
    outcome.kind === "tick"
      ? outcome.decisions.flatMap((d) => (d.outcome ? [d.outcome] : []))
      : outcome.kind === "proposed" || outcome.kind === "planned"
        ? [outcome]
        : [];
  const pending = new Map<string, number>();
  for (const m of mutations) {
    if (m.kind === "proposed" || m.kind === "planned") pending.set(m.plan.rollout, m.plan.from.percent);
  }
  return pending;
}

export function statusRows(
  statuses: readonly StatusMessage[],
  pending: ReadonlyMap<string, number> = new Map(),
): string[][] {
  return statuses.map((s) => [
    `\`${cell(s.rollout)}\``,
    pending.has(s.rollout) ? `${pending.get(s.rollout)}% → ${s.percent}% (pending)` : `${s.percent}%`,
    `${s.stage}/${s.stageCount}`,
    s.phase.replace("_", " "),
    `${HEALTH_EMOJI[s.health.status]} ${s.health.status}`,
    s.health.reasons.map((r) => `${r.pass ? "✓" : "✗"} ${cell(r.text)}`).join("<br>") || "—",
  ]);
}

function headlines(outcome: CommandOutcome): string[] {
  switch (outcome.kind) {
    case "denied":
      return [`✗ refused: ${outcome.reason}`];
    case "refused":
      return [`✗ refused: ${outcome.message}`, ...outcome.reasons.map((r) => `- ${r}`)];
    case "planned":
      return [`Dry run — would ${outcome.plan.summary}. Nothing was changed.`];
    case "proposed":
      return [
        `${outcome.pr.created ? "Opened" : "Refreshed"} [PR #${outcome.pr.number}](${outcome.pr.url}): ${outcome.status.headline}`,
      ];
    case "applied":
      return [
        `${HEALTH_EMOJI[outcome.status.colour]} ${outcome.status.headline}`,
        ...(outcome.commit ? [`Commit \`${outcome.commit.slice(0, 12)}\``] : []),
        ...outcome.dispatches.map((d) =>
          d.dispatched
            ? `Dispatched \`${d.workflow}\``
            : `⚠ \`${d.workflow}\` not dispatched: ${d.detail ?? ""}`,
        ),
      ];
    case "tick": {
      const acted = outcome.decisions.filter((d) => d.action !== "none");
      if (outcome.decisions.length === 0) return ["No active rollouts."];
      return acted.length === 0
        ? ["No decision: every active rollout holds."]
        : acted.map((d) => `**${d.rollout}**: ${d.action} — ${d.status.headline}`);
    }
    case "rollback-all":
      return [
        `${outcome.dryRun ? "Dry run — would roll back" : "Rolled back"} ${outcome.plans.length} rollout(s) to 0%`,
      ];
    default:
      return [];
  }
}

export interface SummaryContext {
  command: string;
  repository: string;
  dryRun: boolean;
}

function heading(context: SummaryContext): string {
  return `### rollout-bot · \`${context.command}\` · ${cell(context.repository)}${context.dryRun ? " · dry run" : ""}`;
}

export function renderFailureSummary(failure: string, context: SummaryContext): string {
  return [heading(context), "", "> [!CAUTION]", ...failure.split("\n").map((l) => `> ${cell(l)}`), ""].join(
    "\n",
  );
}

export function renderSummary(outcome: CommandOutcome, context: SummaryContext): string {
  const lines = [heading(context), ""];
  const said = headlines(outcome);
  if (said.length > 0) lines.push(...said.map(cell), "");
  const statuses = statusesOf(outcome);
  if (statuses.length > 0) {
    lines.push(
      ...table(
        ["Rollout", "Percent", "Stage", "Phase", "Health", "Reasons"],
        statusRows(statuses, pendingFrom(outcome)),
      ),
      "",
    );
    // The stage timeline of each rollout (GitHub renders Mermaid); a long list keeps to the table.
    for (const s of statuses.length <= MAX_TIMELINES ? statuses : []) {
      lines.push(
        `**${cell(s.rollout)}**`,
        "",
        renderStageTimeline({
          percents: s.percents,
          percent: s.percent,
          phase: s.phase,
          ...(s.cooldownUntil ? { cooldownUntil: s.cooldownUntil.replace(".000Z", "Z") } : {}),
        }),
        "",
      );
    }
  }
  if (outcome.kind === "validate") {
    const rows = outcome.files.map((f) => [
      `\`${cell(f.path)}\``,
      f.ok ? "✅ valid" : "❌ invalid",
      f.diagnostics.map((d) => cell(formatDiagnostic(d))).join("<br>") || "—",
    ]);
    lines.push(
      ...(rows.length > 0
        ? table(["File", "Result", "Problems"], rows)
        : ["No rollout files in `.github/rollouts/`."]),
      "",
    );
  }
  const failure = failureOf(outcome);
  if (failure) lines.push(`> [!CAUTION]`, ...failure.split("\n").map((l) => `> ${cell(l)}`), "");
  for (const warning of warningsOf(outcome)) lines.push(`> [!WARNING]`, `> ${cell(warning)}`, "");
  lines.push(
    "<details><summary>Output</summary>",
    "",
    ...codeBlock(renderHuman(outcome)),
    "",
    "</details>",
    "",
  );
  return lines.join("\n");
}
