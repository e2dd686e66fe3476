import { bumpOwnership, type Ownership } from "../core/messages/bump-ownership.ts";
import type { PullRequest, RepoStore } from "../ports.ts";
import type { LoadedRepo } from "./load-repo.ts";

/**
 * Whether a PR is one of the bot's own bump PRs (core/messages/bump-ownership.ts), with the evidence
 * read through the ports: the bot's login, the PR's commits and changed files, and the files the
 * rollout may change as the default branch declares them.
 */
export async function ownBumpPull(store: RepoStore, repo: LoadedRepo, pull: PullRequest): Promise<Ownership> {
  const pulls = store.pulls;
  if (!pulls) return { ours: false, why: "this repository has no pull requests" };
  const [botLogin, commits, files] = await Promise.all([
    pulls.botLogin(),
    pulls.commits(pull.number),
    pulls.files(pull.number),
  ]);
  return bumpOwnership({
    pull,
    repo: store.name,
    botLogin,
    commits,
    files: files.map((f) => f.path),
    allowedPaths: (id) => {
      const rollout = repo.rollouts.find((r) => r.id === id);
      return rollout ? [rollout.path, ...rollout.file.sync.map((t) => t.file)] : undefined;
    },
  });
}
