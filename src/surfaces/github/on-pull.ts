import { bumpMerged } from "../../commands/bump-merged.ts";
import { checkConfig } from "../../commands/check-config.ts";
import { checkGate } from "../../commands/check-gate.ts";
import { parseBranch } from "../../core/messages/bump-pr.ts";
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

/** A PR from a rollout branch merged: the use-case decides whether it was the bot's and what starts. */
export async function onBumpMerged(
  deps: GitHubSurfaceDeps,
  store: RepoStore,
  pull: PullRequest & { mergedBy: string; mergeCommit: string },
): Promise<{ rollout: string; dispatched: string[] } | undefined> {
  const started = await bumpMerged(deps.services, store, pull);
  return started
    ? {
        rollout: started.rollout,
        dispatched: started.dispatched.filter((d) => d.dispatched).map((d) => d.workflow),
      }
    : undefined;
}
