import { checkConfig } from "../../commands/check-config.ts";
import { checkGate } from "../../commands/check-gate.ts";
import { startStage } from "../../commands/start-stage.ts";
import { parseBody, parseBranch, renderBranch } from "../../core/messages/bump-pr.ts";
import type { PullRequest, RepoStore } from "../../ports.ts";
import type { GitHubSurfaceDeps } from "./github-deps.ts";

/** Pull request events translated into the use-cases: the config check, the gate, the stage start on merge. */

/** A PR opened, pushed to, edited or reviewed: its config check, and the gate when it is a bump PR. */
export async function onPullChanged(
  deps: GitHubSurfaceDeps,
  store: RepoStore,
  pull: PullRequest,
  options: { review?: boolean } = {},
): Promise<void> {
  if (!options.review) await checkConfig(store, pull);
  if (parseBranch(pull.headRef)) await checkGate(deps.services, store, pull);
}

/**
 * A bump PR merged: the new stage starts now (the merge is when the change reached the default
 * branch): the on-change dispatch, the announcement, then the branch is deleted.
 */
export async function onBumpMerged(
  deps: GitHubSurfaceDeps,
  store: RepoStore,
  pull: PullRequest & { mergedBy: string; mergeCommit: string },
): Promise<{ rollout: string; dispatched: string[] } | undefined> {
  const branch = parseBranch(pull.headRef);
  const marker = parseBody(pull.body);
  if (!branch || !marker || marker.rollout !== branch.rollout) return undefined;
  const started = await startStage(deps.services, store, {
    rollout: marker.rollout,
    from: marker.from,
    to: marker.to,
    commit: pull.mergeCommit,
    actor: pull.mergedBy,
    recordOnly: branch.urgent,
    headline: (view) =>
      branch.urgent
        ? `${marker.rollout}: urgent rollback PR #${pull.number} merged — Git now records ${marker.to}%`
        : `${marker.rollout}: stage ${view.stage}/${view.stageCount} started at ${marker.to}% (PR #${pull.number} merged by ${pull.mergedBy})`,
  });
  await store.pulls?.deleteBranch(renderBranch(marker.rollout, branch.urgent));
  return started
    ? {
        rollout: started.rollout,
        dispatched: started.dispatched.filter((d) => d.dispatched).map((d) => d.workflow),
      }
    : undefined;
}
