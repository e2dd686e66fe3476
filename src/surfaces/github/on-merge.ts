import type { Octokit } from "@octokit/rest";
import { findRollout, loadRepo } from "../../commands/load-repo.ts";
import { parseBody, parseBranch, renderBranch } from "../../core/messages/bump-pr.ts";
import { announceStageStart } from "./announce-stage.ts";
import { commandContext, type GitHubAppDeps, repoStore } from "./github-deps.ts";

/**
 * A bump PR merged: the new stage starts now (the merge is when the change reached the default
 * branch). Dispatch the on-change workflow, announce the stage, delete the branch.
 */
export async function onBumpMerged(
  deps: GitHubAppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
  pull: { number: number; headRef: string; body: string | null; mergedBy: string },
): Promise<{ rollout: string; dispatched: string[] } | undefined> {
  const branch = parseBranch(pull.headRef);
  const marker = parseBody(pull.body);
  if (!branch || !marker || marker.rollout !== branch.rollout) return undefined;
  const store = repoStore(deps, octokit, repo.owner, repo.repo);
  const ctx = commandContext(deps, store, pull.mergedBy);
  const loaded = await loadRepo(store);
  const rollout = findRollout(loaded, marker.rollout);
  const dispatched: string[] = [];
  const workflow = rollout.file.workflows?.on_change;
  // An urgent rollback PR's workflow ran when the rollback happened; merging it only records it.
  if (workflow && !branch.urgent) {
    await store.dispatchWorkflow({
      workflow,
      ref: rollout.file.workflows?.ref,
      inputs: { rollout: rollout.id, from: String(marker.from), to: String(marker.to) },
    });
    dispatched.push(workflow);
  }
  await announceStageStart(ctx, rollout, loaded.settings, (view) =>
    branch.urgent
      ? `${rollout.id}: urgent rollback PR #${pull.number} merged — Git now records ${marker.to}%`
      : `${rollout.id}: stage ${view.stage}/${view.stageCount} started at ${marker.to}% (PR #${pull.number} merged by ${pull.mergedBy})`,
  );
  await octokit.rest.git
    .deleteRef({ ...repo, ref: `heads/${renderBranch(rollout.id, branch.urgent)}` })
    .catch(() => undefined);
  return { rollout: rollout.id, dispatched };
}
