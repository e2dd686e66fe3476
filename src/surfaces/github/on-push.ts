import { startStage } from "../../commands/start-stage.ts";
import { isRolloutPath, parseRolloutFile, rolloutIdFromPath } from "../../core/config/rollout-file.ts";
import { renderBranch } from "../../core/messages/bump-pr.ts";
import { isBotCommit } from "../../core/messages/commit-message.ts";
import type { RepoStore } from "../../ports.ts";
import type { GitHubSurfaceDeps } from "./github-deps.ts";

/**
 * A push to the default branch that changes a rollout's percentage without the bot (a person edited
 * the file, or merged a PR of their own): the stage starts now. The bot's own commits and merged bump
 * PRs are handled where they happen.
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

async function percentAt(store: RepoStore, path: string, ref: string): Promise<number | undefined> {
  const file = await store.readFile(path, ref);
  if (!file) return undefined;
  const parsed = parseRolloutFile(path, file.text);
  return parsed.ok ? (parsed.value.file.state?.percent ?? 0) : undefined;
}

export async function onPush(
  deps: GitHubSurfaceDeps,
  store: RepoStore,
  push: PushInfo,
): Promise<{ rollout: string; from: number; to: number }[]> {
  if (push.ref !== `refs/heads/${push.defaultBranch}` || isBotCommit(push.headMessage)) return [];
  const changed: { rollout: string; from: number; to: number }[] = [];
  for (const path of new Set(push.paths)) {
    const id = isRolloutPath(path) ? rolloutIdFromPath(path) : undefined;
    if (!id) continue;
    const [from, to] = await Promise.all([
      percentAt(store, path, push.before),
      percentAt(store, path, push.after),
    ]);
    if (to === undefined || from === to) continue;
    // A merged bump PR was handled by pull_request.closed: do not dispatch twice.
    if (await store.pulls?.mergedAs(renderBranch(id), push.after)) continue;
    changed.push({ rollout: id, from: from ?? 0, to });
  }
  for (const change of changed) {
    await startStage(deps.services, store, {
      ...change,
      commit: push.after,
      actor: push.pusher,
      headline: () =>
        `${change.rollout}: ${change.from}% → ${change.to}% pushed to ${push.defaultBranch} by ${push.pusher}`,
    });
  }
  return changed;
}
