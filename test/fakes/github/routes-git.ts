import type { Repo } from "./model.ts";
import { GitHubError, notFound, ok, type RouteContext, type RouteHandler, repoOf } from "./route-kit.ts";
import { stableId, type Urls } from "./shapes-common.ts";
import { gitCommitJson, githubBase64, refJson } from "./shapes-git.ts";

/**
 * The git data API: what a multi-file commit is made of (blobs → tree → commit → ref update), and
 * the compare-and-swap it ends with — `PATCH git/refs` without `force` refuses anything that is
 * not a fast-forward, which is how a writer learns someone else pushed first.
 */

/** The identity GitHub records for a commit made through the API by `login`. */
export function identityOf(login: string): { name: string; email: string } {
  return { name: login, email: `${stableId(`user:${login}`)}+${login}@users.noreply.github.com` };
}

function treeEntries(repo: Repo, treeSha: string, recursive: boolean, urls: Urls) {
  const tree = repo.objects.trees.get(treeSha);
  if (!tree) throw notFound();
  const base = `${urls.api}/repos/${repo.fullName}/git`;
  const blob = (path: string, sha: string) => ({
    path,
    mode: "100644",
    type: "blob",
    sha,
    size: repo.objects.blobs.get(sha)?.length ?? 0,
    url: `${base}/blobs/${sha}`,
  });
  if (!recursive) {
    return repo.objects.childrenOf(tree).map((entry) =>
      entry.type === "blob"
        ? blob(entry.name, entry.sha)
        : {
            path: entry.name,
            mode: "040000",
            type: "tree",
            sha: entry.sha,
            url: `${base}/trees/${entry.sha}`,
          },
    );
  }
  const dirs = repo.objects.directoriesOf(tree).map((dir) => {
    const sub = new Map(
      [...tree].filter(([p]) => p.startsWith(`${dir}/`)).map(([p, s]) => [p.slice(dir.length + 1), s]),
    );
    const sha = repo.objects.putTree(sub);
    return { path: dir, mode: "040000", type: "tree", sha, url: `${base}/trees/${sha}` };
  });
  const files = [...tree].map(([path, sha]) => blob(path, sha));
  return [...dirs, ...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function treeJson(repo: Repo, sha: string, recursive: boolean, urls: Urls) {
  return {
    sha,
    url: `${urls.api}/repos/${repo.fullName}/git/trees/${sha}`,
    tree: treeEntries(repo, sha, recursive, urls),
    truncated: false,
  };
}

function protectedRefusal(repo: Repo, ref: string): GitHubError | undefined {
  const branch = ref.startsWith("heads/") ? ref.slice("heads/".length) : undefined;
  if (branch === undefined || !repo.protectedBranches.has(branch)) return undefined;
  // The REST answer to writing a protected branch directly (the same words `git push` gets).
  return new GitHubError(422, `Protected branch update failed for refs/${ref}.`);
}

function getRef(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const ref = ctx.params.ref ?? "";
  const sha = repo.refs.get(ref);
  if (!sha) throw notFound();
  return ok(refJson(repo, ref, sha, ctx.urls));
}

function listMatchingRefs(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const prefix = ctx.params.ref ?? "";
  const refs = [...repo.refs].filter(([ref]) => ref.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
  return ok(refs.map(([ref, sha]) => refJson(repo, ref, sha, ctx.urls)));
}

function updateRef(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const ref = ctx.params.ref ?? "";
  const { sha, force } = ctx.body as { sha: string; force?: boolean };
  const current = repo.refs.get(ref);
  if (!current) throw new GitHubError(422, "Reference does not exist");
  const refusal = protectedRefusal(repo, ref);
  if (refusal) throw refusal;
  if (!repo.objects.commits.has(sha)) throw new GitHubError(422, "Object does not exist");
  if (!force && !repo.objects.isAncestor(current, sha))
    throw new GitHubError(422, "Update is not a fast forward");
  if (ref.startsWith("heads/")) ctx.state.moveBranch(repo, ref.slice("heads/".length), sha);
  else repo.refs.set(ref, sha);
  return ok(refJson(repo, ref, sha, ctx.urls));
}

function createRef(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const { ref, sha } = ctx.body as { ref: string; sha: string };
  if (!/^refs\/[^/]+\/.+/.test(ref)) throw new GitHubError(422, "Reference name invalid");
  const bare = ref.slice("refs/".length);
  if (repo.refs.has(bare)) throw new GitHubError(422, "Reference already exists");
  if (!repo.objects.commits.has(sha)) throw new GitHubError(422, "Object does not exist");
  repo.refs.set(bare, sha);
  return ok(refJson(repo, bare, sha, ctx.urls), 201);
}

function deleteRef(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const ref = ctx.params.ref ?? "";
  if (!repo.refs.has(ref)) throw new GitHubError(422, "Reference does not exist");
  const refusal = protectedRefusal(repo, ref);
  if (refusal) throw refusal;
  repo.refs.delete(ref);
  // GitHub closes open pull requests whose head branch is deleted.
  for (const pull of repo.pulls.values()) {
    if (pull.state === "open" && `heads/${pull.head.ref}` === ref) {
      pull.state = "closed";
      pull.closedAt = ctx.state.clock.stamp();
      pull.updatedAt = pull.closedAt;
    }
  }
  return { status: 204 };
}

function getCommit(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const commit = repo.objects.commits.get(ctx.params.commit_sha ?? "");
  if (!commit) throw notFound();
  return ok(gitCommitJson(repo, commit, ctx.urls));
}

function getTree(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const wanted = ctx.params.tree_sha ?? "";
  // GitHub also accepts a commit sha or a branch/tag name here and uses its tree.
  const commitSha = repo.objects.trees.has(wanted) ? undefined : ctx.state.resolveRef(repo, wanted);
  const treeSha = commitSha ? repo.objects.commits.get(commitSha)?.treeSha : wanted;
  if (!treeSha || !repo.objects.trees.has(treeSha)) throw notFound();
  return ok(treeJson(repo, treeSha, ctx.query.recursive !== undefined, ctx.urls));
}

function getBlob(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const sha = ctx.params.file_sha ?? "";
  const blob = repo.objects.blobs.get(sha);
  if (!blob) throw notFound();
  return ok({
    sha,
    node_id: Buffer.from(`Blob:${sha}`).toString("base64"),
    size: blob.length,
    url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
    content: githubBase64(blob),
    encoding: "base64",
  });
}

function createBlob(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const { content, encoding } = ctx.body as { content: string; encoding?: string };
  const buffer = Buffer.from(content, encoding === "base64" ? "base64" : "utf8");
  const sha = repo.objects.putBlob(buffer);
  return ok({ sha, url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}` }, 201);
}

interface TreeInput {
  path?: string;
  mode?: string;
  type?: "blob" | "tree" | "commit";
  sha?: string | null;
  content?: string;
}

function createTree(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const { tree, base_tree } = ctx.body as { tree: TreeInput[]; base_tree?: string };
  const base = base_tree === undefined ? new Map<string, string>() : repo.objects.trees.get(base_tree);
  if (!base) throw new GitHubError(422, `Invalid request.\n\nbase_tree ${base_tree} is not a tree.`);
  const files = new Map(base);
  for (const entry of tree) {
    const path = entry.path ?? "";
    if (entry.type === "commit") throw new GitHubError(422, "The fake GitHub does not model submodules");
    if (entry.content !== undefined) {
      files.set(path, repo.objects.putBlob(entry.content));
    } else if (entry.sha === null) {
      const under = [...files.keys()].filter((p) => p === path || p.startsWith(`${path}/`));
      if (under.length === 0)
        throw new GitHubError(422, `GitRPC::BadObjectState: cannot delete ${path}: not in tree`);
      for (const p of under) files.delete(p);
    } else if (entry.type === "tree" && entry.sha) {
      const sub = repo.objects.trees.get(entry.sha);
      if (!sub) throw new GitHubError(422, `tree.sha ${entry.sha} is not a valid tree`);
      for (const p of [...files.keys()]) if (p.startsWith(`${path}/`)) files.delete(p);
      for (const [p, s] of sub) files.set(`${path}/${p}`, s);
    } else if (entry.sha) {
      if (!repo.objects.blobs.has(entry.sha))
        throw new GitHubError(422, `tree.sha ${entry.sha} is not a valid blob`);
      files.set(path, entry.sha);
    } else {
      throw new GitHubError(422, `Invalid tree info: ${path} needs content or sha`);
    }
  }
  const sha = repo.objects.putTree(files);
  return ok(treeJson(repo, sha, false, ctx.urls), 201);
}

function createCommit(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const input = ctx.body as {
    message: string;
    tree: string;
    parents?: string[];
    author?: { name: string; email: string; date?: string };
    committer?: { name: string; email: string };
  };
  const files = repo.objects.trees.get(input.tree);
  if (!files) throw new GitHubError(422, "Tree SHA does not exist");
  const parents = input.parents ?? [];
  for (const parent of parents) {
    if (!repo.objects.commits.has(parent)) {
      throw new GitHubError(422, "Parent SHA does not exist or is not a commit object");
    }
  }
  const author = input.author ?? identityOf(ctx.actor);
  const commit = ctx.state.commit(repo, {
    files,
    parents,
    message: input.message,
    author,
    committer: input.committer ?? { name: author.name, email: author.email },
    // GitHub signs a commit it makes through the API when the caller names no other author.
    signed: input.author === undefined && input.committer === undefined,
  });
  return ok(gitCommitJson(repo, commit, ctx.urls), 201);
}

export const gitRoutes: Record<string, RouteHandler> = {
  "git/get-ref": getRef,
  "git/list-matching-refs": listMatchingRefs,
  "git/update-ref": updateRef,
  "git/create-ref": createRef,
  "git/delete-ref": deleteRef,
  "git/get-commit": getCommit,
  "git/get-tree": getTree,
  "git/get-blob": getBlob,
  "git/create-blob": createBlob,
  "git/create-tree": createTree,
  "git/create-commit": createCommit,
};
