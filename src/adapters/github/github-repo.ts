import type { Octokit } from "@octokit/rest";
import { RolloutError } from "../../core/errors.ts";
import type { Change } from "../../ports.ts";
import { EtagCache } from "./etag-cache.ts";
import { messageOf, statusOf } from "./github-errors.ts";
import { lane } from "./write-lanes.ts";

/**
 * One repository on GitHub (or GHES) as the store, the pull requests and the collaborators share it:
 * the client, conditional reads (ETag → 304, free of rate limit) and the git plumbing of a commit.
 */

export interface ContentFile {
  type: "file";
  sha: string;
  content?: string;
  encoding?: string;
  path: string;
}
export interface ContentEntry {
  type: string;
  name: string;
  path: string;
  sha: string;
}

export interface GitHubRepoOptions {
  owner: string;
  repo: string;
  defaultBranch?: string;
  etags?: EtagCache;
  /** Web address of the host for links (`https://github.com`, or the GHES host). */
  webUrl?: string;
  /** The login the bot acts as (`<app-slug>[bot]`); undefined when it cannot be known. */
  botLogin?: () => Promise<string | undefined>;
}

export const DEFAULT_WEB_URL = "https://github.com";

export class GitHubRepo {
  readonly octokit: Octokit;
  readonly owner: string;
  readonly repo: string;
  readonly name: string;
  readonly etags: EtagCache;
  readonly webUrl: string;
  readonly botLogin: () => Promise<string | undefined>;
  #defaultBranch: string | undefined;

  constructor(octokit: Octokit, options: GitHubRepoOptions) {
    this.octokit = octokit;
    this.owner = options.owner;
    this.repo = options.repo;
    this.name = `${options.owner}/${options.repo}`;
    this.#defaultBranch = options.defaultBranch;
    this.etags = options.etags ?? new EtagCache();
    this.webUrl = (options.webUrl ?? DEFAULT_WEB_URL).replace(/\/+$/, "");
    this.botLogin = options.botLogin ?? (async () => undefined);
  }

  get coordinates(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  async defaultBranch(): Promise<string> {
    if (!this.#defaultBranch) {
      const { data } = await this.octokit.rest.repos.get(this.coordinates);
      this.#defaultBranch = data.default_branch;
    }
    return this.#defaultBranch;
  }

  /**
   * A GET with If-None-Match: GitHub answers 304 (free of rate limit) while nothing changed, and the
   * cached body is used. Undefined on 404.
   */
  async conditional<T>(
    key: string,
    what: string,
    get: (headers: Record<string, string>) => Promise<{ data: unknown; headers: { etag?: string } }>,
  ): Promise<T | undefined> {
    const cached = this.etags.get(key);
    try {
      const response = await get(cached ? { "if-none-match": cached.etag } : {});
      if (response.headers.etag) this.etags.set(key, response.headers.etag, response.data);
      return response.data as T;
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 && cached) return cached.data as T;
      if (status === 404) return undefined;
      throw new RolloutError("UPSTREAM", `cannot read ${what} from ${this.name}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** GET contents, conditionally; undefined on 404. Kept slim: only what the bot reads of the answer. */
  content(path: string, ref?: string): Promise<ContentFile | ContentEntry[] | undefined> {
    return this.conditional(`${this.name}:${ref ?? ""}:${path}`, path, async (headers) => {
      const response = await this.octokit.rest.repos.getContent({
        ...this.coordinates,
        path,
        ...(ref ? { ref } : {}),
        headers,
      });
      return { headers: response.headers, data: slimContent(response.data) };
    });
  }

  /** The text of a file's content answer. */
  static text(data: ContentFile): string {
    return Buffer.from(
      data.content ?? "",
      (data.encoding as BufferEncoding | undefined) ?? "base64",
    ).toString("utf8");
  }

  /** The commit a branch points at now (a conditional read: 304 while it has not moved). */
  async ref(branch: string): Promise<string> {
    const ref = await this.conditional<{ object: { sha: string } }>(
      `${this.name}:ref:heads/${branch}`,
      `the head of ${branch}`,
      (headers) => this.octokit.rest.git.getRef({ ...this.coordinates, ref: `heads/${branch}`, headers }),
    );
    if (!ref) throw new RolloutError("UPSTREAM", `${this.name} has no branch ${branch}`);
    return ref.object.sha;
  }

  /**
   * Every file of a change in ONE write: GraphQL `createCommitOnBranch`, applied only while the branch
   * is still at `expectedHead` (compare-and-swap on the branch). GitHub signs the commit and records
   * the App's bot as its author, as for a commit made through the REST API.
   */
  async commitOnBranch(
    branch: string,
    expectedHead: string,
    change: Change,
  ): Promise<{ oid: string; url: string }> {
    const newline = change.message.indexOf("\n");
    const headline = newline < 0 ? change.message : change.message.slice(0, newline);
    const body = newline < 0 ? "" : change.message.slice(newline + 1).replace(/^\n+/, "");
    const result = await this.octokit.graphql<{
      createCommitOnBranch: { commit: { oid: string; url: string } };
    }>(
      `mutation ($input: CreateCommitOnBranchInput!) {
        createCommitOnBranch(input: $input) { commit { oid url } }
      }`,
      {
        input: {
          branch: { repositoryNameWithOwner: this.name, branchName: branch },
          message: body ? { headline, body } : { headline },
          expectedHeadOid: expectedHead,
          fileChanges: {
            additions: change.files.map((f) => ({
              path: f.path,
              contents: Buffer.from(f.text, "utf8").toString("base64"),
            })),
          },
        },
        ...lane(change.urgent),
      },
    );
    return result.createCommitOnBranch.commit;
  }

  /** The branch head and its tree, the base of every commit the bot makes. */
  async head(branch: string): Promise<{ sha: string; tree: string }> {
    const { data: ref } = await this.octokit.rest.git.getRef({ ...this.coordinates, ref: `heads/${branch}` });
    const { data: commit } = await this.octokit.rest.git.getCommit({
      ...this.coordinates,
      commit_sha: ref.object.sha,
    });
    return { sha: ref.object.sha, tree: commit.tree.sha };
  }

  /** A commit of `change` on top of `base` (not yet on any branch). */
  async commitOn(base: { sha: string; tree: string }, change: Change): Promise<string> {
    const { data: tree } = await this.octokit.rest.git.createTree({
      ...this.coordinates,
      base_tree: base.tree,
      tree: change.files.map((f) => ({
        path: f.path,
        mode: "100644" as const,
        type: "blob" as const,
        content: f.text,
      })),
      ...lane(change.urgent),
    });
    const { data: commit } = await this.octokit.rest.git.createCommit({
      ...this.coordinates,
      message: change.message,
      tree: tree.sha,
      parents: [base.sha],
      ...lane(change.urgent),
    });
    return commit.sha;
  }

  web(kind: "blob" | "commit", target: string): string {
    return kind === "commit"
      ? `${this.webUrl}/${this.name}/commit/${target}`
      : `${this.webUrl}/${this.name}/blob/HEAD/${target}`;
  }
}

function slimContent(data: unknown): ContentFile | ContentEntry[] | unknown {
  if (Array.isArray(data))
    return data.map((e: ContentEntry) => ({ type: e.type, name: e.name, path: e.path, sha: e.sha }));
  const file = data as ContentFile;
  return file && typeof file === "object" && file.type === "file"
    ? { type: file.type, sha: file.sha, path: file.path, content: file.content, encoding: file.encoding }
    : data;
}
