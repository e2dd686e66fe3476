import type { GitCommit } from "./git-objects.ts";
import type { Permission, Repo } from "./model.ts";
import {
  GitHubError,
  notFound,
  ok,
  paginate,
  type RouteContext,
  type RouteHandler,
  repoOf,
} from "./route-kit.ts";
import { identityOf } from "./routes-git.ts";
import { repoJson, userJson } from "./shapes-common.ts";
import { contentEntryJson, gitCommitJson, githubBase64, restCommitJson } from "./shapes-git.ts";

/** Repositories, the contents API (read and single-file write with sha CAS), commit history. */

/** What `permission` reports for each role: GitHub folds maintain into write and triage into read. */
const REPORTED: Record<Permission, "admin" | "write" | "read" | "none"> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

function getRepo(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const role = repo.collaborators.get(ctx.actor);
  const reported = role ? REPORTED[role] : ctx.actor.endsWith("[bot]") ? "write" : "read";
  return ok(
    repoJson(repo, ctx.urls, {
      admin: reported === "admin",
      push: reported === "admin" || reported === "write",
      pull: reported !== "none",
    }),
  );
}

function getContent(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const ref = ctx.query.ref ?? repo.defaultBranch;
  const sha = ctx.state.resolveRef(repo, ref);
  if (!sha) throw new GitHubError(404, `No commit found for the ref ${ref}`);
  const files = repo.objects.filesOf(sha);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const blobSha = files.get(path);
  if (blobSha) {
    const blob = repo.objects.blobs.get(blobSha) ?? Buffer.alloc(0);
    // `mediaType: { format: "raw" }` in Octokit asks for the bytes themselves.
    if (/application\/vnd\.github(\.v3)?\.raw/.test(String(ctx.headers.accept ?? ""))) {
      return {
        status: 200,
        body: blob.toString("utf8"),
        contentType: "application/vnd.github.raw; charset=utf-8",
      };
    }
    const entry = contentEntryJson(
      repo,
      path,
      { type: "file", sha: blobSha, size: blob.length },
      ref,
      ctx.urls,
    );
    return ok({ ...entry, content: githubBase64(blob), encoding: "base64" });
  }
  const prefix = path === "" ? "" : `${path}/`;
  const under = new Map(
    [...files].filter(([p]) => p.startsWith(prefix)).map(([p, s]) => [p.slice(prefix.length), s]),
  );
  if (under.size === 0) throw notFound();
  const entries = repo.objects.childrenOf(under).map((child) => {
    const size = child.type === "blob" ? (repo.objects.blobs.get(child.sha)?.length ?? 0) : 0;
    const type = child.type === "blob" ? "file" : "dir";
    return contentEntryJson(repo, `${prefix}${child.name}`, { type, sha: child.sha, size }, ref, ctx.urls);
  });
  return ok(entries);
}

function putContent(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const input = ctx.body as {
    message: string;
    content: string;
    sha?: string;
    branch?: string;
    author?: { name: string; email: string; date?: string };
    committer?: { name: string; email: string };
  };
  const branch = input.branch ?? repo.defaultBranch;
  const tip = repo.refs.get(`heads/${branch}`);
  if (!tip) throw new GitHubError(404, `Branch ${branch} not found`);
  const path = ctx.params.path ?? "";
  const files = new Map(repo.objects.filesOf(tip));
  const existing = files.get(path);
  // GitHub's compare-and-swap for one file: the caller must name the blob it is replacing.
  if (existing && input.sha === undefined)
    throw new GitHubError(422, `Invalid request.\n\n"sha" wasn't supplied.`);
  if (existing && input.sha !== existing) throw new GitHubError(409, `${path} does not match ${input.sha}`);
  if (repo.protectedBranches.has(branch)) {
    throw new GitHubError(409, "Could not update file: Changes must be made through a pull request.");
  }
  const blob = repo.objects.putBlob(Buffer.from(input.content, "base64"));
  files.set(path, blob);
  const author = input.author ?? input.committer ?? identityOf(ctx.actor);
  const commit = ctx.state.commit(repo, {
    files,
    parents: [tip],
    message: input.message,
    author,
    committer: input.committer ?? identityOf(ctx.actor),
    signed: input.author === undefined && input.committer === undefined,
  });
  ctx.state.moveBranch(repo, branch, commit.sha);
  const size = repo.objects.blobs.get(blob)?.length ?? 0;
  return ok(
    {
      content: contentEntryJson(repo, path, { type: "file", sha: blob, size }, branch, ctx.urls),
      commit: gitCommitJson(repo, commit, ctx.urls),
    },
    existing ? 200 : 201,
  );
}

/**
 * `git log` for the REST API: newest first; with `path`, git's default history simplification
 * (a commit whose file matches one parent's is skipped and only that parent followed), so a merged
 * pull request shows its own commit, not the merge.
 */
function historyOf(repo: Repo, tip: string, path: string | undefined): GitCommit[] {
  const signature = (sha: string): string | undefined => {
    if (path === undefined) return undefined;
    const files = repo.objects.filesOf(sha);
    const file = files.get(path);
    if (file) return file;
    const under = [...files].filter(([p]) => p.startsWith(`${path}/`));
    return under.length > 0 ? JSON.stringify(under) : undefined;
  };
  const out: GitCommit[] = [];
  const seen = new Set<string>();
  const queue = [tip];
  while (queue.length > 0) {
    const sha = queue.shift()!;
    const commit = repo.objects.commits.get(sha);
    if (!commit || seen.has(sha)) continue;
    seen.add(sha);
    if (path === undefined) {
      out.push(commit);
      queue.push(...commit.parents);
      continue;
    }
    const mine = signature(sha);
    const same = commit.parents.find((parent) => signature(parent) === mine);
    if (same) {
      queue.push(same);
      continue;
    }
    if (commit.parents.length > 0 || mine !== undefined) out.push(commit);
    queue.push(...commit.parents);
  }
  return out.sort((a, b) =>
    a.committer.date < b.committer.date ? 1 : a.committer.date > b.committer.date ? -1 : 0,
  );
}

function listCommits(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const tip = ctx.state.resolveRef(repo, ctx.query.sha ?? repo.defaultBranch);
  if (!tip) throw notFound();
  const { since, until, author } = ctx.query;
  const commits = historyOf(repo, tip, ctx.query.path).filter(
    (c) =>
      (since === undefined || c.committer.date >= since) &&
      (until === undefined || c.committer.date <= until) &&
      (author === undefined || c.author.email === author || c.author.name === author),
  );
  return paginate(
    ctx,
    commits.map((c) => restCommitJson(repo, c, ctx.urls)),
  );
}

function getBranch(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const name = ctx.params.branch ?? "";
  const sha = repo.refs.get(`heads/${name}`);
  const commit = sha ? repo.objects.commits.get(sha) : undefined;
  if (!commit) throw new GitHubError(404, "Branch not found");
  const url = `${ctx.urls.api}/repos/${repo.fullName}/branches/${name}`;
  const isProtected = repo.protectedBranches.has(name);
  return ok({
    name,
    commit: restCommitJson(repo, commit, ctx.urls),
    _links: { self: url, html: `${ctx.urls.web}/${repo.fullName}/tree/${name}` },
    protected: isProtected,
    protection: {
      enabled: isProtected,
      required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
    },
    protection_url: `${url}/protection`,
  });
}

/** The status checks a branch requires; 404 when it requires none (GitHub: "Required status checks not enabled"). */
function getStatusChecksProtection(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const branch = ctx.params.branch ?? "";
  const contexts = repo.requiredChecks.get(branch);
  if (!contexts) throw new GitHubError(404, "Required status checks not enabled");
  const url = `${ctx.urls.api}/repos/${repo.fullName}/branches/${branch}/protection/required_status_checks`;
  return ok({
    url,
    strict: false,
    contexts,
    checks: contexts.map((context) => ({ context, app_id: null })),
    contexts_url: `${url}/contexts`,
  });
}

function getCollaboratorPermission(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const login = ctx.params.username ?? "";
  const role = repo.collaborators.get(login) ?? (repo.private ? "none" : "read");
  const permission = REPORTED[role];
  const user = {
    ...userJson(login, ctx.urls),
    permissions: {
      admin: permission === "admin",
      maintain: role === "admin" || role === "maintain",
      push: permission === "admin" || permission === "write",
      triage: permission !== "none",
      pull: permission !== "none",
    },
    role_name: role,
  };
  return ok({ permission, role_name: role, user });
}

export const repoRoutes: Record<string, RouteHandler> = {
  "repos/get": getRepo,
  "repos/get-content": getContent,
  "repos/create-or-update-file-contents": putContent,
  "repos/list-commits": listCommits,
  "repos/get-branch": getBranch,
  "repos/get-collaborator-permission-level": getCollaboratorPermission,
  "repos/get-status-checks-protection": getStatusChecksProtection,
};
