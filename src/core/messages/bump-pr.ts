import { z } from "zod";
import type { RolloutFile } from "../config/schema.ts";
import { formatDuration } from "../duration.ts";
import type { Gate } from "../rollout/gate.ts";
import type { HealthReport } from "../rollout/health.ts";
import { viewState } from "../rollout/stage-view.ts";
import { renderStageTimeline } from "./stage-timeline.ts";

/**
 * The bump pull request: branch, title and body, each with a parser beside its renderer so the bot
 * can read its own PRs back from GitHub (a hidden marker carries the machine-readable part).
 */

const BRANCH_PREFIX = "rollout/";

/** The check run that reports a bump PR's gate; branch protection should require it. */
export const GATE_CHECK = "rollout gate";

/** How to make the gate binding, said wherever the bot finds it is not (PR body, checks, README). */
export const GATE_NOT_REQUIRED = `"${GATE_CHECK}" is not a required status check on the default branch: this pull request can be merged before its gate opens. Make it one: Settings → Branches → the default branch's protection rule (or a ruleset) → Require status checks to pass → add "${GATE_CHECK}".`;
const MARKER_RE = /<!-- rollout-bot:(\{[^\n]*?\}) -->/;
const Marker = z.object({
  v: z.literal(1),
  rollout: z.string(),
  from: z.number(),
  to: z.number(),
  urgent: z.boolean().optional(),
});
export type BumpMarker = z.output<typeof Marker>;

export function renderBranch(rollout: string, urgent = false): string {
  return `${BRANCH_PREFIX}${rollout}${urgent ? "-rollback" : ""}`;
}

export function parseBranch(branch: string): { rollout: string; urgent: boolean } | undefined {
  const match = /^rollout\/([a-z0-9][a-z0-9-]{0,62}?)(-rollback)?$/.exec(branch);
  return match?.[1] ? { rollout: match[1], urgent: match[2] !== undefined } : undefined;
}

export function renderTitle(marker: BumpMarker): string {
  return `${marker.urgent ? "🚨 URGENT " : ""}rollout(${marker.rollout}): ${marker.from}% → ${marker.to}%`;
}

export function parseTitle(title: string): { rollout: string; from: number; to: number } | undefined {
  const match = /rollout\(([a-z0-9-]+)\): ([\d.]+)% → ([\d.]+)%$/.exec(title);
  return match ? { rollout: match[1]!, from: Number(match[2]), to: Number(match[3]) } : undefined;
}

export interface BumpBodyInput {
  marker: BumpMarker;
  file: RolloutFile;
  path: string;
  health: HealthReport;
  gate?: Gate | undefined;
  requiredApprovals: number;
  links?: Record<string, string>;
  /** Why this PR exists instead of a direct commit (e.g. the protected-branch fallback). */
  notice?: string;
  /** The default branch does not require the gate check: said on the PR. */
  gateNotRequired?: boolean;
}

/** Cells come from user-controlled files: keep them from breaking the table or the HTML marker. */
function cell(text: string): string {
  return text.replace(/[|\r\n]/g, " ").replace(/<!--|-->/g, "");
}

export function renderBody(input: BumpBodyInput): string {
  const { marker, file } = input;
  const lines: string[] = [];
  if (input.notice) lines.push(`> [!CAUTION]\n> ${cell(input.notice)}`, "");
  lines.push(
    `Moves **${marker.rollout}** from **${marker.from}%** to **${marker.to}%**. Approving and merging this pull request is the gate.`,
    "",
  );
  lines.push("| stage | percent | bake | approvals | criteria |", "| --- | --- | --- | --- | --- |");
  file.stages.forEach((stage, i) => {
    const here = stage.percent === marker.to ? " ← this PR" : stage.percent === marker.from ? " (now)" : "";
    const criteria =
      stage.criteria.map((c) => cell(`${c.metric}${c.vs ? ` vs ${c.vs}` : ""}`)).join(", ") || "—";
    lines.push(
      `| ${i + 1}${here} | ${stage.percent}% | ${formatDuration(stage.bake ?? 0)} | ${stage.approvals ?? "default"} | ${criteria} |`,
    );
  });
  const view = viewState(file);
  lines.push(
    "",
    renderStageTimeline({
      percents: file.stages.map((s) => s.percent),
      percent: marker.from,
      phase: view.phase,
      bakes: file.stages.map((s) => formatDuration(s.bake ?? 0)),
      proposed: marker.to,
    }),
  );
  lines.push("", "### Gate");
  if (input.gateNotRequired) lines.push(`> [!WARNING]\n> ${GATE_NOT_REQUIRED}`, "");
  for (const check of input.gate?.checks ?? [])
    lines.push(`- [${check.pass ? "x" : " "}] ${check.name}: ${cell(check.detail)}`);
  lines.push(
    `- approvals needed: ${input.requiredApprovals} (reviews by people with write access, not the author)`,
  );
  lines.push("", `### Health: ${input.health.status}`);
  for (const reason of input.health.reasons) lines.push(`- ${reason.pass ? "✓" : "✗"} ${cell(reason.text)}`);
  const links = Object.entries({ ...(file.links ?? {}), ...(input.links ?? {}) });
  if (links.length > 0) lines.push("", links.map(([name, url]) => `[${cell(name)}](${url})`).join(" · "));
  lines.push(
    "",
    `Rollout file: \`${input.path}\`. Commits on this branch by people are never force-pushed away.`,
  );
  lines.push("", `<!-- rollout-bot:${JSON.stringify(marker)} -->`);
  return lines.join("\n");
}

/** Reads the marker back; undefined for a PR the bot did not write (or a tampered marker). */
export function parseBody(body: string | null | undefined): BumpMarker | undefined {
  const match = MARKER_RE.exec(body ?? "");
  if (!match?.[1]) return undefined;
  try {
    const parsed = Marker.safeParse(JSON.parse(match[1]));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
