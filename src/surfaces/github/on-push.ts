import type { Octokit } from "@octokit/rest";
import { statusOf } from "../../adapters/github/github-errors.ts";
import { loadRepo } from "../../commands/load-repo.ts";
import { isRolloutPath, parseRolloutFile, rolloutIdFromPath } from "../../core/config/rollout-file.ts";
import { renderBranch } from "../../core/messages/bump-pr.ts";
import { isBotCommit } from "../../core/messages/commit-message.ts";
import { announceStageStart } from "./announce-stage.ts";
import { commandContext, type GitHubAppDeps, repoStore } from "./github-deps.ts";

/**
 * A push to the default branch that changes a rollout's percentage without the bot (a person edited
 * the file, or merged a PR of their own): the stage starts now, so dispatch the on-change workflow and
 * announce it. The bot's own commits and merged bump PRs are handled where they happen.
 */

export interface PushInfo {
  ref: string;
  defaultBranch: string;
  before: string;
  after: string;
  headMessage: string;
  pusher: string;
  paths: string[];
}

async function percentAt(octokit: Octokit, repo: { owner: string; repo: string }, path: string, ref: string) {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref });
    if (Array.isArray(data) || data.type !== "file") return undefined;
    const parsed = parseRolloutFile(path, Buffer.from(data.content ?? "", "base64").toString("utf8"));
    return parsed.ok ? (parsed.value.file.state?.percent ?? 0) : undefined;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function onPush(
  deps: GitHubAppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
  push: PushInfo,
): Promise<{ rollout: string; from: number; to: number }[]> {
  if (push.ref !== `refs/heads/${push.defaultBranch}` || isBotCommit(push.headMessage)) return [];
  const changed: { rollout: string; from: number; to: number }[] = [];
  for (const path of new Set(push.paths)) {
    const id = isRolloutPath(path) ? rolloutIdFromPath(path) : undefined;
    if (!id) continue;
    const [from, to] = await Promise.all([
      percentAt(octokit, repo, path, push.before),
      percentAt(octokit, repo, path, push.after),
    ]);
    if (to === undefined || from === to) continue;
    // A merged bump PR was handled by pull_request.closed: do not dispatch twice.
    const { data: merged } = await octokit.rest.pulls.list({
      ...repo,
      head: `${repo.owner}:${renderBranch(id)}`,
      state: "closed",
      per_page: 10,
    });
    if (merged.some((p) => p.merge_commit_sha === push.after)) continue;
    changed.push({ rollout: id, from: from ?? 0, to });
  }
  if (changed.length === 0) return [];
  const store = repoStore(deps, octokit, repo.owner, repo.repo, push.defaultBranch);
  const ctx = commandContext(deps, store, push.pusher);
  const loaded = await loadRepo(store);
  for (const change of changed) {
    const rollout = loaded.rollouts.find((r) => r.id === change.rollout);
    if (!rollout) continue;
    const workflow = rollout.file.workflows?.on_change;
    if (workflow) {
      await store.dispatchWorkflow({
        workflow,
        ref: rollout.file.workflows?.ref,
        inputs: { rollout: rollout.id, from: String(change.from), to: String(change.to) },
      });
    }
    await announceStageStart(
      ctx,
      rollout,
      loaded.settings,
      () =>
        `${rollout.id}: ${change.from}% → ${change.to}% pushed to ${push.defaultBranch} by ${push.pusher}`,
    );
  }
  return changed;
}
