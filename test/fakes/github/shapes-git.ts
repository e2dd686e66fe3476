import type { GitCommit } from "./git-objects.ts";
import type { Repo } from "./model.ts";
import { nodeId, stableId, type Urls, userJson } from "./shapes-common.ts";

/** GitHub's JSON for git data: refs, git commits, REST commits, contents entries. */

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** GitHub's verdict on a commit's signature: the ones GitHub made itself are `valid`. */
function verificationOf(commit: GitCommit) {
  return commit.signed
    ? {
        verified: true,
        reason: "valid",
        signature: "-----BEGIN PGP SIGNATURE-----\n(fake GitHub)\n-----END PGP SIGNATURE-----",
        payload: `tree ${commit.treeSha}`,
        verified_at: commit.committer.date,
      }
    : UNSIGNED;
}

export function refJson(repo: Repo, ref: string, sha: string, urls: Urls) {
  return {
    ref: `refs/${ref}`,
    node_id: nodeId("Ref", stableId(`${repo.fullName}:${ref}`)),
    url: `${urls.api}/repos/${repo.fullName}/git/refs/${ref}`,
    object: { type: "commit", sha, url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

function parentsJson(repo: Repo, commit: GitCommit, urls: Urls) {
  return commit.parents.map((sha) => ({
    sha,
    url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}`,
    html_url: `${urls.web}/${repo.fullName}/commit/${sha}`,
  }));
}

/** `git-commit`: the git data API's view. */
export function gitCommitJson(repo: Repo, commit: GitCommit, urls: Urls) {
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", stableId(commit.sha)),
    url: `${urls.api}/repos/${repo.fullName}/git/commits/${commit.sha}`,
    html_url: `${urls.web}/${repo.fullName}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    message: commit.message,
    tree: { sha: commit.treeSha, url: `${urls.api}/repos/${repo.fullName}/git/trees/${commit.treeSha}` },
    parents: parentsJson(repo, commit, urls),
    verification: verificationOf(commit),
  };
}

/** A GitHub login for a commit author, when the email is a noreply address; else null. */
function loginOf(email: string): string | null {
  const match = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/.exec(email);
  return match?.[1] ?? null;
}

/** `commit`: the REST commits API's view (list commits, `repos/get-commit`). */
export function restCommitJson(repo: Repo, commit: GitCommit, urls: Urls) {
  const url = `${urls.api}/repos/${repo.fullName}/commits/${commit.sha}`;
  const author = loginOf(commit.author.email);
  const committer = loginOf(commit.committer.email);
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", stableId(commit.sha)),
    url,
    html_url: `${urls.web}/${repo.fullName}/commit/${commit.sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `${urls.api}/repos/${repo.fullName}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.treeSha, url: `${urls.api}/repos/${repo.fullName}/git/trees/${commit.treeSha}` },
      verification: verificationOf(commit),
    },
    author: author ? userJson(author, urls) : null,
    committer: committer ? userJson(committer, urls) : null,
    parents: parentsJson(repo, commit, urls),
  };
}

/** One entry of the contents API (a file or directory), without `content`. */
export function contentEntryJson(
  repo: Repo,
  path: string,
  entry: { type: "file" | "dir"; sha: string; size: number },
  ref: string,
  urls: Urls,
) {
  const kind = entry.type === "file" ? "blobs" : "trees";
  const self = `${urls.api}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${urls.api}/repos/${repo.fullName}/git/${kind}/${entry.sha}`;
  const html = `${urls.web}/${repo.fullName}/${entry.type === "file" ? "blob" : "tree"}/${ref}/${path}`;
  return {
    name: path.split("/").pop() ?? path,
    path,
    sha: entry.sha,
    size: entry.size,
    url: self,
    html_url: html,
    git_url: git,
    download_url: entry.type === "file" ? `${urls.web}/${repo.fullName}/raw/${ref}/${path}` : null,
    type: entry.type,
    _links: { self, git, html },
  };
}

/** Base64 wrapped at 60 columns with a trailing newline, exactly as GitHub sends `content`. */
export function githubBase64(content: Buffer): string {
  const flat = content.toString("base64");
  return flat.length === 0 ? "" : `${flat.match(/.{1,60}/g)?.join("\n") ?? ""}\n`;
}
