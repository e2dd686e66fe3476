import type { Repo } from "./model.ts";
import { notFound, ok, type RouteContext, type RouteHandler, repoOf } from "./route-kit.ts";
import { restCommitJson } from "./shapes-git.ts";
import { diffEntryJson, fileChanges } from "./shapes-pulls.ts";

/**
 * `GET /repos/{owner}/{repo}/compare/{base}...{head}`: which commits the head has that the base
 * lacks (oldest first, as GitHub lists them), how far each side is ahead, and the files changed
 * since the merge base. Cross-repository `user:branch` forms are not modelled.
 */

function reachable(repo: Repo, tip: string): Set<string> {
  const seen = new Set<string>();
  const stack = [tip];
  while (stack.length > 0) {
    const sha = stack.pop()!;
    if (seen.has(sha)) continue;
    seen.add(sha);
    stack.push(...(repo.objects.commits.get(sha)?.parents ?? []));
  }
  return seen;
}

function compare(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const basehead = ctx.params.basehead ?? "";
  const [baseRef, headRef] = basehead.split("...");
  const base = baseRef ? ctx.state.resolveRef(repo, baseRef) : undefined;
  const head = headRef ? ctx.state.resolveRef(repo, headRef) : undefined;
  if (!base || !head) throw notFound();
  const fromBase = reachable(repo, base);
  const fromHead = reachable(repo, head);
  const byDate = (a: string, b: string) => {
    const da = repo.objects.commits.get(a)?.committer.date ?? "";
    const db = repo.objects.commits.get(b)?.committer.date ?? "";
    return da < db ? -1 : da > db ? 1 : 0;
  };
  const ahead = [...fromHead].filter((sha) => !fromBase.has(sha)).sort(byDate);
  const behind = [...fromBase].filter((sha) => !fromHead.has(sha));
  const mergeBase = repo.objects.mergeBase(base, head);
  const status =
    ahead.length === 0 && behind.length === 0
      ? "identical"
      : behind.length === 0
        ? "ahead"
        : ahead.length === 0
          ? "behind"
          : "diverged";
  const json = (sha: string) => restCommitJson(repo, repo.objects.commits.get(sha)!, ctx.urls);
  const html = `${ctx.urls.web}/${repo.fullName}/compare/${basehead}`;
  return ok({
    url: `${ctx.urls.api}/repos/${repo.fullName}/compare/${basehead}`,
    html_url: html,
    permalink_url: `${ctx.urls.web}/${repo.fullName}/compare/${base}...${head}`,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    base_commit: json(base),
    merge_base_commit: json(mergeBase ?? base),
    status,
    ahead_by: ahead.length,
    behind_by: behind.length,
    total_commits: ahead.length,
    commits: ahead.slice(0, 250).map(json),
    files: fileChanges(repo, mergeBase, head).map((change) => diffEntryJson(repo, head, change, ctx.urls)),
  });
}

export const compareRoutes: Record<string, RouteHandler> = {
  "repos/compare-commits-with-basehead": compare,
};
