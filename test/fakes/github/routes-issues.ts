import type { IssueComment, PullRequest, Repo } from "./model.ts";
import {
  GitHubError,
  intParam,
  notFound,
  ok,
  paginate,
  type RouteContext,
  type RouteHandler,
  repoOf,
} from "./route-kit.ts";
import { labelJson, nodeId, type Urls, userJson } from "./shapes-common.ts";

/**
 * Issue comments, labels and reactions — on pull requests, which are the only issues the fake
 * models (a pull request is an issue with the same number on GitHub).
 */

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"] as const;

function issueOf(ctx: RouteContext, repo: Repo): PullRequest {
  const pull = repo.pulls.get(intParam(ctx, "issue_number"));
  if (!pull) throw notFound();
  return pull;
}

function commentOf(ctx: RouteContext, repo: Repo): IssueComment {
  const comment = repo.comments.find((c) => c.id === intParam(ctx, "comment_id"));
  if (!comment) throw notFound();
  return comment;
}

function commentJson(repo: Repo, comment: IssueComment, urls: Urls) {
  const url = `${urls.api}/repos/${repo.fullName}/issues/comments/${comment.id}`;
  const counts = Object.fromEntries(
    REACTIONS.map((content) => [content, comment.reactions.filter((r) => r.content === content).length]),
  );
  return {
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    url,
    html_url: `${urls.web}/${repo.fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(comment.user, urls),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${comment.issueNumber}`,
    author_association: repo.collaborators.has(comment.user) ? "COLLABORATOR" : "NONE",
    reactions: { url: `${url}/reactions`, total_count: comment.reactions.length, ...counts },
  };
}

function createComment(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const now = ctx.state.clock.stamp();
  const comment: IssueComment = {
    id: ctx.state.nextId(),
    issueNumber: issue.number,
    user: ctx.actor,
    body: (ctx.body as { body: string }).body,
    createdAt: now,
    updatedAt: now,
    reactions: [],
  };
  repo.comments.push(comment);
  const json = commentJson(repo, comment, ctx.urls);
  return ok(json, 201, { location: json.url });
}

function listComments(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const { since } = ctx.query;
  const comments = repo.comments.filter(
    (c) => c.issueNumber === issue.number && (since === undefined || c.updatedAt >= since),
  );
  return paginate(
    ctx,
    comments.map((c) => commentJson(repo, c, ctx.urls)),
  );
}

function updateComment(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const comment = commentOf(ctx, repo);
  comment.body = (ctx.body as { body: string }).body;
  comment.updatedAt = ctx.state.clock.stamp();
  return ok(commentJson(repo, comment, ctx.urls));
}

function addLabels(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const labels = (ctx.body as { labels?: Array<string | { name: string }> }).labels ?? [];
  for (const label of labels) {
    const name = typeof label === "string" ? label : label.name;
    if (!issue.labels.includes(name)) issue.labels.push(name);
  }
  issue.updatedAt = ctx.state.clock.stamp();
  return ok(issue.labels.map((name) => labelJson(repo, name, ctx.urls)));
}

function removeLabel(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const issue = issueOf(ctx, repo);
  const name = ctx.params.name ?? "";
  if (!issue.labels.includes(name)) throw new GitHubError(404, "Label does not exist");
  issue.labels = issue.labels.filter((l) => l !== name);
  issue.updatedAt = ctx.state.clock.stamp();
  return ok(issue.labels.map((l) => labelJson(repo, l, ctx.urls)));
}

function createReaction(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const comment = commentOf(ctx, repo);
  const { content } = ctx.body as { content: string };
  const json = (r: IssueComment["reactions"][number]) => ({
    id: r.id,
    node_id: nodeId("Reaction", r.id),
    user: userJson(r.user, ctx.urls),
    content: r.content,
    created_at: r.createdAt,
  });
  // The same person reacting the same way twice gets the existing reaction back, with 200.
  const existing = comment.reactions.find((r) => r.user === ctx.actor && r.content === content);
  if (existing) return ok(json(existing), 200);
  const reaction = { id: ctx.state.nextId(), user: ctx.actor, content, createdAt: ctx.state.clock.stamp() };
  comment.reactions.push(reaction);
  return ok(json(reaction), 201);
}

export const issueRoutes: Record<string, RouteHandler> = {
  "issues/create-comment": createComment,
  "issues/list-comments": listComments,
  "issues/update-comment": updateComment,
  "issues/add-labels": addLabels,
  "issues/remove-label": removeLabel,
  "reactions/create-for-issue-comment": createReaction,
};
