import type { Octokit } from "@octokit/rest";
import { repoPermission } from "../../adapters/github/github-identity.ts";
import { evaluateRollout } from "../../commands/evaluate.ts";
import { findRollout, loadRepo } from "../../commands/load-repo.ts";
import { canWrite } from "../../core/commands/authorize.ts";
import { parseBody, parseBranch } from "../../core/messages/bump-pr.ts";
import type { Gate } from "../../core/rollout/gate.ts";
import { commandContext, type GitHubAppDeps, repoStore } from "./github-deps.ts";

/**
 * The "rollout gate" check run on a bump PR: bake, health, approvals, cooldown, freeze — re-evaluated on
 * reviews, pushes and schedule. With auto_merge on and the gate open, the bot merges.
 */

export const GATE_CHECK = "rollout gate";

export interface PullInfo {
  number: number;
  headSha: string;
  headRef: string;
  author: string;
  body: string | null;
}

/** Approvals that count: each reviewer's latest verdict, people with write access, not the author, not bots. */
export async function countApprovals(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  pull: PullInfo,
): Promise<number> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
    ...repo,
    pull_number: pull.number,
    per_page: 100,
  });
  const latest = new Map<string, string>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login || review.user?.type === "Bot" || login === pull.author || review.state === "COMMENTED")
      continue;
    latest.set(login, review.state);
  }
  let count = 0;
  for (const [login, state] of latest) {
    if (state !== "APPROVED") continue;
    if (canWrite(await repoPermission(octokit, repo, login))) count++;
  }
  return count;
}

export async function runGateCheck(
  deps: GitHubAppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
  pull: PullInfo,
  options: { refreshOnly?: boolean } = {},
): Promise<{ gate: Gate; merged: boolean } | undefined> {
  const branch = parseBranch(pull.headRef);
  const marker = parseBody(pull.body);
  if (!branch || branch.urgent || !marker || marker.rollout !== branch.rollout) return undefined;
  const store = repoStore(deps, octokit, repo.owner, repo.repo);
  const ctx = commandContext(deps, store, "rollout-bot");
  const loaded = await loadRepo(store);
  const rollout = findRollout(loaded, branch.rollout);
  const approvals = await countApprovals(octokit, repo, pull);
  const { gate, health } = await evaluateRollout(ctx, rollout, loaded.settings, { approvals, to: marker.to });
  const failing = gate.checks.filter((c) => !c.pass);
  const conclusion = gate.open ? ("success" as const) : ("failure" as const);
  const title = gate.open
    ? `gate open: ready for ${marker.to}%`
    : `gate closed: ${failing.map((c) => c.name).join(", ")}`;
  // The schedule re-evaluates every open bump PR: write only when the verdict changed, or refresh
  // the progress (bake time) in place at most every 15 minutes.
  const { data: existing } = await octokit.rest.checks.listForRef({
    ...repo,
    ref: pull.headSha,
    check_name: GATE_CHECK,
    per_page: 1,
  });
  const last = existing.check_runs[0];
  const now = ctx.clock.now().getTime();
  const fresh = last?.completed_at ? now - Date.parse(last.completed_at) < 15 * 60_000 : false;
  const same = last?.conclusion === conclusion && last.output.title === title;
  if (same && fresh && options.refreshOnly) return { gate, merged: false };
  await octokit.rest.checks.create({
    ...repo,
    name: GATE_CHECK,
    head_sha: pull.headSha,
    status: "completed",
    conclusion,
    output: {
      title,
      summary: [
        ...gate.checks.map((c) => `- [${c.pass ? "x" : " "}] **${c.name}**: ${c.detail}`),
        "",
        `Health: **${health.status}**`,
        ...health.reasons.map((r) => `- ${r.pass ? "✓" : "✗"} ${r.text}`),
      ].join("\n"),
    },
  });
  let merged = false;
  if (gate.open && rollout.file.automation?.auto_merge) {
    // `sha` makes the merge a compare-and-swap too: a push after this evaluation blocks it.
    await octokit.rest.pulls.merge({
      ...repo,
      pull_number: pull.number,
      sha: pull.headSha,
      merge_method: "squash",
    });
    merged = true;
    ctx.logger.info({ rollout: rollout.id, pr: pull.number }, "gate open: bump pull request merged");
  }
  return { gate, merged };
}

/** The scheduled pass: every open bump PR of a repository gets its gate re-evaluated. */
export async function refreshGates(
  deps: GitHubAppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
): Promise<number> {
  let checked = 0;
  for (const pull of await repoStore(deps, octokit, repo.owner, repo.repo).openBumpPulls()) {
    if (await runGateCheck(deps, octokit, repo, pull, { refreshOnly: true })) checked++;
  }
  return checked;
}
