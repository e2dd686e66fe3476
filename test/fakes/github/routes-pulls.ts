import type { PullRequest, Repo, ReviewState } from "./model.ts";
import {
  GitHubError,
  intParam,
  newestFirst,
  notFound,
  ok,
  paginate,
  type RouteContext,
  type RouteHandler,
  repoOf,
  validationFailed,
} from "./route-kit.ts";
import { identityOf } from "./routes-git.ts";
import { restCommitJson } from "./shapes-git.ts";
import { changedFiles, diffEntryJson, pullJson, reviewJson } from "./shapes-pulls.ts";

/** Pull requests: open (no duplicates per head), list, update, merge, reviews, changed files. */

function pullOf(ctx: RouteContext, repo: Repo): PullRequest {
  const pull = repo.pulls.get(intParam(ctx, "pull_number"));
  if (!pull) throw notFound();
  return pull;
}

/** `owner:branch` or `branch`; another owner would be a fork, which the fake does not model. */
function headBranch(repo: Repo, head: string): string | undefined {
  const colon = head.indexOf(":");
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.toLowerCase() ? head.slice(colon + 1) : undefined;
}

function createPull(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const input = ctx.body as {
    title?: string;
    head: string;
    base: string;
    body?: string;
    draft?: boolean;
    maintainer_can_modify?: boolean;
  };
  const branch = headBranch(repo, input.head);
  const headSha = branch === undefined ? undefined : repo.refs.get(`heads/${branch}`);
  if (branch === undefined || !headSha)
    throw validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
  const baseSha = repo.refs.get(`heads/${input.base}`);
  if (!baseSha) throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
  const duplicate = [...repo.pulls.values()].some(
    (p) => p.state === "open" && p.head.ref === branch && p.base.ref === input.base,
  );
  if (duplicate) {
    throw validationFailed([
      {
        resource: "PullRequest",
        code: "custom",
        message: `A pull request already exists for ${repo.owner}:${branch}.`,
      },
    ]);
  }
  if (repo.objects.isAncestor(headSha, baseSha)) {
    throw validationFailed([
      { resource: "PullRequest", code: "custom", message: `No commits between ${input.base} and ${branch}` },
    ]);
  }
  if (!input.title)
    throw validationFailed([{ resource: "PullRequest", field: "title", code: "missing_field" }]);
  const now = ctx.state.clock.stamp();
  const pull: PullRequest = {
    id: ctx.state.nextId(),
    number: repo.nextNumber++,
    title: input.title,
    body: input.body ?? null,
    state: "open",
    draft: input.draft ?? false,
    user: ctx.actor,
    head: { ref: branch, sha: headSha },
    base: { ref: input.base },
    labels: [],
    merged: false,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
    maintainerCanModify: input.maintainer_can_modify ?? true,
  };
  repo.pulls.set(pull.number, pull);
  const location = `${ctx.urls.api}/repos/${repo.fullName}/pulls/${pull.number}`;
  return ok(pullJson(ctx.state, repo, pull, ctx.urls, true), 201, { location });
}

function listPulls(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const { state = "open", head, base, sort = "created", direction } = ctx.query;
  // Like GitHub, a `head` without the `owner:` prefix is silently ignored (a classic trap).
  const headFilter = head?.includes(":") ? headBranch(repo, head) : undefined;
  const matching = [...repo.pulls.values()].filter(
    (p) =>
      (state === "all" || p.state === state) &&
      (!head?.includes(":") || p.head.ref === headFilter) &&
      (base === undefined || p.base.ref === base),
  );
  const key = (p: PullRequest) => (sort === "updated" ? p.updatedAt : p.createdAt);
  const sorted = newestFirst(matching, key);
  const ordered = direction === "asc" ? sorted.reverse() : sorted;
  return paginate(
    ctx,
    ordered.map((p) => pullJson(ctx.state, repo, p, ctx.urls, false)),
  );
}

function getPull(ctx: RouteContext) {
  const repo = repoOf(ctx);
  return ok(pullJson(ctx.state, repo, pullOf(ctx, repo), ctx.urls, true));
}

function updatePull(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = pullOf(ctx, repo);
  const input = ctx.body as { title?: string; body?: string; state?: "open" | "closed"; base?: string };
  if (input.base !== undefined && !repo.refs.has(`heads/${input.base}`)) {
    throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
  }
  if (input.state === "open" && pull.state === "closed") {
    if (pull.merged)
      throw validationFailed([
        { resource: "PullRequest", code: "custom", message: "Cannot reopen a merged pull request" },
      ]);
    if (!repo.refs.has(`heads/${pull.head.ref}`)) {
      throw validationFailed([{ resource: "PullRequest", field: "state", code: "invalid" }]);
    }
  }
  const now = ctx.state.clock.stamp();
  if (input.title !== undefined) pull.title = input.title;
  if (input.body !== undefined) pull.body = input.body;
  if (input.base !== undefined) pull.base = { ref: input.base };
  if (input.state === "closed" && pull.state === "open") {
    pull.head.sha = ctx.state.headSha(repo, pull);
    pull.state = "closed";
    pull.closedAt = now;
  } else if (input.state === "open" && pull.state === "closed") {
    pull.state = "open";
    pull.closedAt = null;
  }
  pull.updatedAt = now;
  return ok(pullJson(ctx.state, repo, pull, ctx.urls, true));
}

function mergePull(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = pullOf(ctx, repo);
  const input = (ctx.body ?? {}) as {
    commit_title?: string;
    commit_message?: string;
    sha?: string;
    merge_method?: string;
  };
  if (pull.state !== "open") throw new GitHubError(405, "Pull Request is not mergeable");
  const headSha = ctx.state.headSha(repo, pull);
  if (input.sha !== undefined && input.sha !== headSha) {
    throw new GitHubError(409, "Head branch was modified. Review and try the merge again.");
  }
  const merged = ctx.state.mergeResult(repo, pull);
  if (!merged || !ctx.state.mergeable(repo, pull))
    throw new GitHubError(405, "Pull Request is not mergeable");
  const baseSha = repo.refs.get(`heads/${pull.base.ref}`)!;
  const method = input.merge_method ?? "merge";
  // squash and rebase both land as one new commit on the base here; rebase keeps no merge parent.
  const title =
    input.commit_title ??
    (method === "merge"
      ? `Merge pull request #${pull.number} from ${repo.owner}/${pull.head.ref}`
      : `${pull.title} (#${pull.number})`);
  const body = input.commit_message ?? (method === "merge" ? pull.title : (pull.body ?? ""));
  const commit = ctx.state.commit(repo, {
    files: merged,
    parents: method === "merge" ? [baseSha, headSha] : [baseSha],
    message: body ? `${title}\n\n${body}` : title,
    author: identityOf(ctx.actor),
    signed: true,
  });
  // Merging through a pull request is allowed on a protected base: that is the point of one.
  ctx.state.moveBranch(repo, pull.base.ref, commit.sha);
  const now = ctx.state.clock.stamp();
  Object.assign(pull, {
    state: "closed",
    merged: true,
    mergedAt: now,
    mergedBy: ctx.actor,
    mergeCommitSha: commit.sha,
    closedAt: now,
    updatedAt: now,
    head: { ref: pull.head.ref, sha: headSha },
  });
  return ok({ sha: commit.sha, merged: true, message: "Pull Request successfully merged" });
}

function listReviews(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = pullOf(ctx, repo);
  const reviews = repo.reviews.filter((r) => r.pullNumber === pull.number);
  return paginate(
    ctx,
    reviews.map((r) => reviewJson(repo, r, ctx.urls)),
  );
}

const EVENT_STATE: Record<string, ReviewState> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
};

function createReview(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = pullOf(ctx, repo);
  const input = ctx.body as { body?: string; event?: string; commit_id?: string };
  const state = input.event ? EVENT_STATE[input.event] : "PENDING";
  if (!state) throw validationFailed([{ resource: "PullRequestReview", field: "event", code: "invalid" }]);
  if (state === "APPROVED" && pull.user === ctx.actor) {
    throw new GitHubError(422, "Unprocessable Entity", { errors: ["Can not approve your own pull request"] });
  }
  if ((state === "CHANGES_REQUESTED" || state === "COMMENTED") && !input.body) {
    throw new GitHubError(422, "Unprocessable Entity", {
      errors: [`Review cannot be ${state.toLowerCase()} without a body`],
    });
  }
  const review = ctx.state.addReview(repo.fullName, pull.number, {
    user: ctx.actor,
    state,
    body: input.body ?? "",
  });
  if (input.commit_id) review.commitId = input.commit_id;
  return ok(reviewJson(repo, review, ctx.urls));
}

function listFiles(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = pullOf(ctx, repo);
  return paginate(
    ctx,
    changedFiles(ctx.state, repo, pull).map((change) =>
      diffEntryJson(repo, ctx.state.headSha(repo, pull), change, ctx.urls),
    ),
  );
}

/** The commits a PR adds: reachable from its head, not from the base as it was before any merge. */
function listCommits(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = pullOf(ctx, repo);
  const merged = pull.mergeCommitSha ? repo.objects.commits.get(pull.mergeCommitSha) : undefined;
  const baseTip = merged?.parents[0] ?? ctx.state.resolveRef(repo, pull.base.ref);
  const onBase = new Set<string>();
  const walk = (tip: string | undefined, into: Set<string>) => {
    const stack = tip ? [tip] : [];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (into.has(sha)) continue;
      into.add(sha);
      stack.push(...(repo.objects.commits.get(sha)?.parents ?? []));
    }
  };
  walk(baseTip, onBase);
  const mine = new Set<string>();
  walk(ctx.state.headSha(repo, pull), mine);
  const commits = [...mine]
    .filter((sha) => !onBase.has(sha))
    .map((sha) => repo.objects.commits.get(sha)!)
    .sort((a, b) => (a.committer.date < b.committer.date ? -1 : a.committer.date > b.committer.date ? 1 : 0));
  return paginate(
    ctx,
    commits.map((c) => restCommitJson(repo, c, ctx.urls)),
  );
}

export const pullRoutes: Record<string, RouteHandler> = {
  "pulls/list-commits": listCommits,
  "pulls/create": createPull,
  "pulls/list": listPulls,
  "pulls/get": getPull,
  "pulls/update": updatePull,
  "pulls/merge": mergePull,
  "pulls/list-reviews": listReviews,
  "pulls/create-review": createReview,
  "pulls/list-files": listFiles,
};
