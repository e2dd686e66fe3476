import { parseRolloutFile } from "../core/config/rollout-file.ts";
import { parseBranch, renderBranch } from "../core/messages/bump-pr.ts";
import type { PullRequest, RepoStore } from "../ports.ts";
import { ownBumpPull } from "./bump-pull.ts";
import { loadRepo } from "./load-repo.ts";
import type { Services } from "./services.ts";
import { startStage } from "./start-stage.ts";

/**
 * A PR from a `rollout/<id>` branch merged. Git is the truth: if the merge changed the rollout's
 * percentage, the new stage starts (on-change dispatch, announcement). Only the bot's own bump PR is
 * announced as the planned next stage; any other (a person's PR on that branch, a fork's) is announced
 * for what it is — a change that never went through the bot's gate. The branch is deleted when it is
 * the bot's.
 */

export interface MergedPull extends PullRequest {
  mergedBy: string;
  mergeCommit: string;
}

async function percentAt(store: RepoStore, path: string, ref: string): Promise<number | undefined> {
  const file = await store.readFile(path, ref);
  if (!file) return undefined;
  const parsed = parseRolloutFile(path, file.text);
  return parsed.ok ? (parsed.value.file.state?.percent ?? 0) : undefined;
}

export async function bumpMerged(services: Services, store: RepoStore, pull: MergedPull) {
  const branch = parseBranch(pull.headRef);
  if (!branch) return undefined;
  const repo = await loadRepo(store);
  const rollout = repo.rollouts.find((r) => r.id === branch.rollout);
  if (!rollout) return undefined;
  const ownership = await ownBumpPull(store, repo, pull);
  // What the merge did to the file: its newest change is the merge itself (squash) or one of the PR's
  // own commits (a merge commit); the change before that is where it came "from".
  const [history, prCommits] = await Promise.all([
    store.history(rollout.path),
    store.pulls?.commits(pull.number) ?? [],
  ]);
  const ownShas = new Set([pull.mergeCommit, ...prCommits.map((c) => c.sha)]);
  const latest = history.findIndex((e) => !ownShas.has(e.commit));
  const touched = history[0] !== undefined && ownShas.has(history[0].commit);
  const to = rollout.file.state?.percent ?? 0;
  const before = latest >= 0 ? history[latest] : undefined;
  const from = touched && before ? await percentAt(store, rollout.path, before.commit) : undefined;
  if (ownership.ours) await store.pulls?.deleteBranch(renderBranch(branch.rollout, branch.urgent));
  else
    services.logger.warn(
      { pr: pull.number, why: ownership.why },
      "a rollout branch merged that is not the bot's bump PR",
    );
  if (!touched || from === undefined || from === to) return undefined;
  return startStage(services, store, {
    rollout: rollout.id,
    from,
    to,
    commit: pull.mergeCommit,
    actor: pull.mergedBy,
    // An urgent rollback PR's workflow ran when the rollback happened; merging it only records it.
    recordOnly: ownership.ours && ownership.urgent,
    headline: (view) =>
      !ownership.ours
        ? `⚠️ ${rollout.id}: ${from}% → ${to}% by PR #${pull.number}, merged by ${pull.mergedBy} — not a bump PR of rollout-bot's (${ownership.why}): no gate checked it`
        : ownership.urgent
          ? `${rollout.id}: urgent rollback PR #${pull.number} merged — Git now records ${to}%`
          : `${rollout.id}: stage ${view.stage}/${view.stageCount} started at ${to}% (PR #${pull.number} merged by ${pull.mergedBy})`,
  });
}
