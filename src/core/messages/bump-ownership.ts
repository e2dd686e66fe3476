import { type BumpMarker, parseBody, parseBranch } from "./bump-pr.ts";
import type { CommitInfo, PullRequest } from "./pull-request.ts";

/**
 * Whether a pull request is one of the bot's own bump PRs. Only those get a gate, are merged by the
 * bot, or are announced as a stage start. A branch name and a marker in the body are text anyone can
 * write, so they are not enough: the PR must be opened by the bot's own account from a branch of the
 * repository itself, every commit on it made by the bot and signed by GitHub (as GitHub signs what an
 * App commits through the API), and it may change nothing but the rollout file and its sync files.
 */

export type Ownership =
  | { ours: true; rollout: string; urgent: boolean; marker: BumpMarker }
  | { ours: false; why: string };

export interface OwnershipEvidence {
  pull: PullRequest;
  /** `owner/name` of the repository the PR is against. */
  repo: string;
  /** The login the bot acts as; undefined when it cannot be known (then nothing is the bot's). */
  botLogin: string | undefined;
  commits: readonly CommitInfo[];
  /** Paths the PR changes. */
  files: readonly string[];
  /** The rollout file and the sync files it declares on the default branch (not in the PR's own version). */
  allowedPaths: (rollout: string) => readonly string[] | undefined;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Whether a commit is the bot's own: authored by its account and signed by GitHub, whatever its message says. */
export function isOwnCommit(commit: CommitInfo, botLogin: string | undefined): boolean {
  return commit.verified && same(commit.authorLogin, botLogin);
}

export function bumpOwnership(e: OwnershipEvidence): Ownership {
  const branch = parseBranch(e.pull.headRef);
  if (!branch) return { ours: false, why: `branch ${e.pull.headRef} is not a rollout branch` };
  const marker = parseBody(e.pull.body);
  if (!marker || marker.rollout !== branch.rollout)
    return { ours: false, why: "no rollout-bot marker for this branch" };
  if (e.botLogin === undefined) return { ours: false, why: "the bot's own login is unknown" };
  if (!same(e.pull.author, e.botLogin) || !e.pull.authorIsBot)
    return { ours: false, why: `opened by ${e.pull.author || "someone"}, not by ${e.botLogin}` };
  if (!same(e.pull.headRepo, e.repo))
    return { ours: false, why: `its branch lives in ${e.pull.headRepo || "another repository"}` };
  if (e.commits.length === 0) return { ours: false, why: "it has no commits" };
  const foreign = e.commits.find((c) => !isOwnCommit(c, e.botLogin));
  if (foreign) return { ours: false, why: `commit ${foreign.sha.slice(0, 7)} is not the bot's own` };
  const allowed = new Set(e.allowedPaths(branch.rollout) ?? []);
  if (allowed.size === 0) return { ours: false, why: `no rollout ${branch.rollout} on the default branch` };
  const outside = e.files.filter((f) => !allowed.has(f));
  if (outside.length > 0)
    return { ours: false, why: `it changes ${outside.slice(0, 3).join(", ")}, outside the rollout's files` };
  return { ours: true, rollout: branch.rollout, urgent: branch.urgent, marker };
}
