import { structuredPatch } from "diff";
import type { PullRequest, Repo, Review } from "./model.ts";
import { labelJson, nodeId, repoJson, type Urls, userJson } from "./shapes-common.ts";
import type { FakeGitHubState } from "./state.ts";

/** GitHub's JSON for pull requests, their reviews and their changed files. */

function association(repo: Repo, login: string): string {
  if (login === repo.owner) return "OWNER";
  return repo.collaborators.has(login) ? "COLLABORATOR" : "NONE";
}

export interface FileChange {
  filename: string;
  status: "added" | "modified" | "removed";
  sha: string;
  additions: number;
  deletions: number;
  patch: string;
}

/** What the pull request changes: its head against the merge base, as `pulls/list-files` shows. */
export function changedFiles(state: FakeGitHubState, repo: Repo, pull: PullRequest): FileChange[] {
  const head = state.headSha(repo, pull);
  // A merged PR still lists what it changed: against the base as it was before the merge.
  const merged = pull.mergeCommitSha ? repo.objects.commits.get(pull.mergeCommitSha) : undefined;
  const baseTip = merged?.parents[0] ?? state.resolveRef(repo, pull.base.ref);
  return fileChanges(repo, baseTip ? repo.objects.mergeBase(baseTip, head) : undefined, head);
}

/** File-by-file changes between two commits (`from` undefined: everything is added). */
export function fileChanges(repo: Repo, from: string | undefined, to: string): FileChange[] {
  const before = from ? repo.objects.filesOf(from) : new Map<string, string>();
  const after = repo.objects.filesOf(to);
  const text = (sha: string | undefined) =>
    sha ? (repo.objects.blobs.get(sha)?.toString("utf8") ?? "") : "";
  const out: FileChange[] = [];
  for (const filename of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(filename);
    const b = after.get(filename);
    if (a === b) continue;
    const hunks = structuredPatch(filename, filename, text(a), text(b), "", "", { context: 3 }).hunks;
    const lines = hunks.flatMap((h) => h.lines);
    out.push({
      filename,
      status: a === undefined ? "added" : b === undefined ? "removed" : "modified",
      sha: b ?? a ?? "",
      additions: lines.filter((l) => l.startsWith("+")).length,
      deletions: lines.filter((l) => l.startsWith("-")).length,
      patch: hunks
        .map((h) => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@\n${h.lines.join("\n")}`)
        .join("\n"),
    });
  }
  return out;
}

/** A `diff-entry`; `ref` is the commit the file URLs point at. */
export function diffEntryJson(repo: Repo, ref: string, change: FileChange, urls: Urls) {
  return {
    sha: change.sha,
    filename: change.filename,
    status: change.status,
    additions: change.additions,
    deletions: change.deletions,
    changes: change.additions + change.deletions,
    blob_url: `${urls.web}/${repo.fullName}/blob/${ref}/${change.filename}`,
    raw_url: `${urls.web}/${repo.fullName}/raw/${ref}/${change.filename}`,
    contents_url: `${urls.api}/repos/${repo.fullName}/contents/${change.filename}?ref=${ref}`,
    patch: change.patch,
  };
}

/** Commits on the head that the base does not have. */
function aheadCount(state: FakeGitHubState, repo: Repo, pull: PullRequest): number {
  const baseTip = state.resolveRef(repo, pull.base.ref);
  const head = state.headSha(repo, pull);
  let count = 0;
  const seen = new Set<string>();
  const stack = [head];
  while (stack.length > 0) {
    const sha = stack.pop()!;
    if (seen.has(sha) || (baseTip && repo.objects.isAncestor(sha, baseTip))) continue;
    seen.add(sha);
    count += 1;
    stack.push(...(repo.objects.commits.get(sha)?.parents ?? []));
  }
  return count;
}

/** `pull-request` (full, from get/create/update) or `pull-request-simple` (from list). */
export function pullJson(state: FakeGitHubState, repo: Repo, pull: PullRequest, urls: Urls, full: boolean) {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.web}/${repo.fullName}/pull/${pull.number}`;
  const self = `${api}/pulls/${pull.number}`;
  const headSha = state.headSha(repo, pull);
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: { ...userJson(repo.owner, urls), type: "Organization" },
    repo: repoJson(repo, urls),
  });
  const forkSide = (fork: string, ref: string, sha: string) => {
    const [owner = "", name = ""] = fork.split("/");
    const json = repoJson(repo, urls);
    return {
      label: `${owner}:${ref}`,
      ref,
      sha,
      user: { ...userJson(owner, urls), type: "User" },
      repo: { ...json, name, full_name: fork, fork: true, owner: { ...json.owner, login: owner } },
    };
  };
  const simple = {
    url: self,
    id: pull.id,
    node_id: nodeId("PullRequest", pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(pull.user, urls),
    body: pull.body,
    labels: pull.labels.map((name) => labelJson(repo, name, urls)),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: pull.head.repo ? forkSide(pull.head.repo, pull.head.ref, headSha) : side(pull.head.ref, headSha),
    base: side(pull.base.ref, state.resolveRef(repo, pull.base.ref) ?? ""),
    _links: {
      self: { href: self },
      html: { href: html },
      issue: { href: `${api}/issues/${pull.number}` },
      comments: { href: `${api}/issues/${pull.number}/comments` },
      review_comments: { href: `${self}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${self}/commits` },
      statuses: { href: `${api}/statuses/${headSha}` },
    },
    author_association: association(repo, pull.user),
    auto_merge: null,
    draft: pull.draft,
  };
  if (!full) return simple;
  const open = pull.state === "open";
  const mergeable = open ? state.mergeable(repo, pull) : null;
  const changes = changedFiles(state, repo, pull);
  return {
    ...simple,
    merged: pull.merged,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeable === null ? "unknown" : mergeable ? "clean" : "dirty",
    merged_by: pull.mergedBy ? userJson(pull.mergedBy, urls) : null,
    comments: repo.comments.filter((c) => c.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: aheadCount(state, repo, pull),
    additions: changes.reduce((n, c) => n + c.additions, 0),
    deletions: changes.reduce((n, c) => n + c.deletions, 0),
    changed_files: changes.length,
  };
}

export function reviewJson(repo: Repo, review: Review, urls: Urls) {
  const pullUrl = `${urls.api}/repos/${repo.fullName}/pulls/${review.pullNumber}`;
  const html = `${urls.web}/${repo.fullName}/pull/${review.pullNumber}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: nodeId("PullRequestReview", review.id),
    user: userJson(review.user, urls),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    ...(review.state === "PENDING" ? {} : { submitted_at: review.submittedAt }),
    commit_id: review.commitId,
    author_association: association(repo, review.user),
  };
}
