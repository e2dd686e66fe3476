import type { Octokit } from "@octokit/rest";
import { rolloutIdFromPath } from "../../core/config/rollout-file.ts";
import { RolloutError } from "../../core/errors.ts";
import { parseBody, parseBranch, renderBranch } from "../../core/messages/bump-pr.ts";
import { isBotCommit } from "../../core/messages/commit-message.ts";
import type {
  AppliedChange,
  Change,
  DispatchOutcome,
  HistoryEntry,
  Proposal,
  ProposalResult,
  RepoFile,
  RepoStore,
  WorkflowDispatch,
} from "../../ports.ts";
import { EtagCache } from "./etag-cache.ts";
import { messageOf, refUpdateError, statusOf } from "./github-errors.ts";

/**
 * A repository on GitHub (or GHES) through Octokit. Reads are conditional (ETag → 304, free of rate
 * limit); writes are compare-and-swap: a file's blob sha must still be the one read, and the ref moves
 * only as a fast-forward, so a concurrent change is never overwritten (CONFLICT → the command retries).
 */

const ROLLOUTS_DIR = ".github/rollouts";
const SETTINGS_FILE = ".github/rollout-bot.yml";

interface ContentFile {
  type: "file";
  sha: string;
  content?: string;
  encoding?: string;
  path: string;
}
interface ContentEntry {
  type: string;
  name: string;
  path: string;
  sha: string;
}

export interface GitHubRepoStoreOptions {
  owner: string;
  repo: string;
  defaultBranch?: string;
  etags?: EtagCache;
  /** The CLI or the Action, opted in: metrics URLs in this repository's files are used. */
  repoMetricsUrls?: boolean;
}

export class GitHubRepoStore implements RepoStore {
  readonly name: string;
  readonly owner: string;
  readonly repo: string;
  readonly repoMetricsUrls: boolean;
  readonly #octokit: Octokit;
  readonly #etags: EtagCache;
  #defaultBranch: string | undefined;

  constructor(octokit: Octokit, options: GitHubRepoStoreOptions) {
    this.#octokit = octokit;
    this.owner = options.owner;
    this.repo = options.repo;
    this.name = `${options.owner}/${options.repo}`;
    this.#defaultBranch = options.defaultBranch;
    this.#etags = options.etags ?? new EtagCache();
    this.repoMetricsUrls = options.repoMetricsUrls ?? false;
  }

  async defaultBranch(): Promise<string> {
    if (!this.#defaultBranch) {
      const { data } = await this.#octokit.rest.repos.get({ owner: this.owner, repo: this.repo });
      this.#defaultBranch = data.default_branch;
    }
    return this.#defaultBranch;
  }

  /**
   * A GET with If-None-Match: GitHub answers 304 (free of rate limit) while nothing changed, and the
   * cached body is used. Undefined on 404.
   */
  async #conditional<T>(
    key: string,
    what: string,
    get: (headers: Record<string, string>) => Promise<{ data: unknown; headers: { etag?: string } }>,
  ): Promise<T | undefined> {
    const cached = this.#etags.get(key);
    try {
      const response = await get(cached ? { "if-none-match": cached.etag } : {});
      if (response.headers.etag) this.#etags.set(key, response.headers.etag, response.data);
      this.#etags.misses++;
      return response.data as T;
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 && cached) {
        this.#etags.hits++;
        return cached.data as T;
      }
      if (status === 404) return undefined;
      throw new RolloutError("UPSTREAM", `cannot read ${what} from ${this.name}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** GET contents, conditionally; undefined on 404. */
  #content(path: string, ref?: string): Promise<ContentFile | ContentEntry[] | undefined> {
    return this.#conditional(`${this.name}:${ref ?? ""}:${path}`, path, (headers) =>
      this.#octokit.rest.repos.getContent({
        owner: this.owner,
        repo: this.repo,
        path,
        ...(ref ? { ref } : {}),
        headers,
      }),
    );
  }

  /** Open pull requests from the bot's `rollout/…` branches, read conditionally (the schedule polls it). */
  async openBumpPulls(): Promise<
    { number: number; headSha: string; headRef: string; author: string; body: string | null }[]
  > {
    const pulls = await this.#conditional<
      {
        number: number;
        head: { sha: string; ref: string };
        user: { login: string } | null;
        body: string | null;
      }[]
    >(`${this.name}:open-pulls`, "open pull requests", (headers) =>
      this.#octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        state: "open",
        per_page: 100,
        headers,
      }),
    );
    return (pulls ?? [])
      .filter((p) => parseBranch(p.head.ref) !== undefined)
      .map((p) => ({
        number: p.number,
        headSha: p.head.sha,
        headRef: p.head.ref,
        author: p.user?.login ?? "",
        body: p.body,
      }));
  }

  async listRolloutFiles(): Promise<RepoFile[]> {
    const listing = await this.#content(ROLLOUTS_DIR);
    if (!Array.isArray(listing)) return [];
    const names = listing
      .filter((e) => e.type === "file" && /\.ya?ml$/.test(e.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const files = await Promise.all(names.map((e) => this.readFile(e.path)));
    return files.filter((f): f is RepoFile => f !== undefined);
  }

  async readFile(path: string): Promise<RepoFile | undefined> {
    // Most repositories have no settings file: a 404 counts against the rate limit on every tick, a
    // 304 on the folder listing does not. Look in the (conditional) listing first.
    if (path === SETTINGS_FILE) {
      const listing = await this.#content(".github");
      if (!Array.isArray(listing) || !listing.some((e) => e.path === SETTINGS_FILE && e.type === "file"))
        return undefined;
    }
    const data = await this.#content(path);
    if (data === undefined || Array.isArray(data) || data.type !== "file") return undefined;
    const text = Buffer.from(
      data.content ?? "",
      (data.encoding as BufferEncoding | undefined) ?? "base64",
    ).toString("utf8");
    return { path, text, version: data.sha };
  }

  /** The branch head and its tree, the base of every commit the bot makes. */
  async #head(branch: string): Promise<{ sha: string; tree: string }> {
    const { data: ref } = await this.#octokit.rest.git.getRef({
      owner: this.owner,
      repo: this.repo,
      ref: `heads/${branch}`,
    });
    const { data: commit } = await this.#octokit.rest.git.getCommit({
      owner: this.owner,
      repo: this.repo,
      commit_sha: ref.object.sha,
    });
    return { sha: ref.object.sha, tree: commit.tree.sha };
  }

  /** Compare-and-swap on content: each file must still be the blob it was computed from. */
  async #checkBase(change: Change, headSha: string): Promise<void> {
    // In parallel: every request before the commit delays a rollback's dispatch.
    await Promise.all(
      change.files.map(async (file) => {
        if (file.baseVersion === undefined) return;
        const current = await this.#content(file.path, headSha);
        const sha = current && !Array.isArray(current) ? current.sha : undefined;
        if (sha !== file.baseVersion)
          throw new RolloutError("CONFLICT", `${file.path} changed since it was read`);
      }),
    );
  }

  async #commitOn(base: { sha: string; tree: string }, change: Change): Promise<string> {
    const { data: tree } = await this.#octokit.rest.git.createTree({
      owner: this.owner,
      repo: this.repo,
      base_tree: base.tree,
      tree: change.files.map((f) => ({
        path: f.path,
        mode: "100644" as const,
        type: "blob" as const,
        content: f.text,
      })),
    });
    const { data: commit } = await this.#octokit.rest.git.createCommit({
      owner: this.owner,
      repo: this.repo,
      message: change.message,
      tree: tree.sha,
      parents: [base.sha],
    });
    return commit.sha;
  }

  async commit(change: Change): Promise<AppliedChange> {
    const branch = await this.defaultBranch();
    const [only] = change.files;
    if (change.files.length === 1 && only?.baseVersion !== undefined)
      return this.#putFile(branch, only, change.message);
    const head = await this.#head(branch);
    await this.#checkBase(change, head.sha);
    const sha = await this.#commitOn(head, change);
    try {
      // force: false — GitHub refuses anything but a fast-forward: the ref-level compare-and-swap.
      await this.#octokit.rest.git.updateRef({
        owner: this.owner,
        repo: this.repo,
        ref: `heads/${branch}`,
        sha,
        force: false,
      });
    } catch (error) {
      throw refUpdateError(error, branch);
    }
    return { commit: sha, url: `https://github.com/${this.name}/commit/${sha}` };
  }

  /**
   * One file: the contents API commits and moves the branch in ONE write, compare-and-swap on the blob
   * sha (409 when stale). GitHub paces writes about a second apart, so this is ~2 s sooner than the
   * git data API's tree + commit + ref for a rollback.
   */
  async #putFile(branch: string, file: Change["files"][number], message: string): Promise<AppliedChange> {
    try {
      const { data } = await this.#octokit.rest.repos.createOrUpdateFileContents({
        owner: this.owner,
        repo: this.repo,
        path: file.path,
        branch,
        message,
        content: Buffer.from(file.text, "utf8").toString("base64"),
        ...(file.baseVersion ? { sha: file.baseVersion } : {}),
      });
      const sha = data.commit.sha ?? "";
      return { commit: sha, url: data.commit.html_url ?? `https://github.com/${this.name}/commit/${sha}` };
    } catch (error) {
      throw refUpdateError(error, branch);
    }
  }

  async dispatchWorkflow(dispatch: WorkflowDispatch): Promise<DispatchOutcome> {
    await this.#octokit.rest.actions.createWorkflowDispatch({
      owner: this.owner,
      repo: this.repo,
      workflow_id: dispatch.workflow,
      ref: dispatch.ref ?? (await this.defaultBranch()),
      inputs: dispatch.inputs,
    });
    return { dispatched: true };
  }

  async dispatchedRuns(workflow: string, commit: string): Promise<number> {
    const { data } = await this.#octokit.rest.actions.listWorkflowRuns({
      owner: this.owner,
      repo: this.repo,
      workflow_id: workflow,
      event: "workflow_dispatch",
      head_sha: commit,
      per_page: 1,
    });
    return data.total_count;
  }

  async history(path: string): Promise<HistoryEntry[]> {
    const { data } = await this.#octokit.rest.repos.listCommits({
      owner: this.owner,
      repo: this.repo,
      path,
      per_page: 100,
    });
    return data.map((c) => ({
      commit: c.sha,
      date: c.commit.committer?.date ?? c.commit.author?.date ?? "",
      author: c.author?.login ?? c.commit.author?.name ?? "unknown",
      message: c.commit.message,
    }));
  }

  async stageStartedAt(path: string, percent: number, version?: string): Promise<Date | undefined> {
    // Every evaluation loads every rollout: ask GitHub once per version of the file, not every tick.
    const key = `${this.name}:stage-start:${path}`;
    const known = version === undefined ? undefined : this.#etags.recall<Date | null>(key, version);
    if (known !== undefined) return known ?? undefined;
    const at = await this.#findStageStart(path, percent);
    if (version !== undefined) this.#etags.remember(key, version, at ?? null);
    return at;
  }

  async #findStageStart(path: string, percent: number): Promise<Date | undefined> {
    // The merge time of the bump PR that set this percentage: a file's commit history would give the
    // branch commit's time instead when the PR was merged with a merge commit.
    const id = rolloutIdFromPath(path);
    if (id) {
      const { data } = await this.#octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        head: `${this.owner}:${renderBranch(id)}`,
        state: "closed",
        sort: "updated",
        direction: "desc",
        per_page: 10,
      });
      const merged = data.find((p) => p.merged_at && parseBody(p.body)?.to === percent);
      if (merged?.merged_at) return new Date(merged.merged_at);
    }
    const { data } = await this.#octokit.rest.repos.listCommits({
      owner: this.owner,
      repo: this.repo,
      path,
      per_page: 1,
    });
    const date = data[0]?.commit.committer?.date ?? data[0]?.commit.author?.date;
    return date ? new Date(date) : undefined;
  }

  async #openPull(branch: string) {
    const { data } = await this.#octokit.rest.pulls.list({
      owner: this.owner,
      repo: this.repo,
      head: `${this.owner}:${branch}`,
      state: "open",
    });
    return data[0];
  }

  /** Whether every commit on the branch is the bot's own (then it may be rewritten), and if it is behind. */
  async #branchState(branchSha: string, baseSha: string): Promise<{ ours: boolean; behind: boolean }> {
    const { data } = await this.#octokit.rest.repos.compareCommitsWithBasehead({
      owner: this.owner,
      repo: this.repo,
      basehead: `${baseSha}...${branchSha}`,
    });
    return {
      ours: data.commits.every((c) => isBotCommit(c.commit.message)),
      behind: data.behind_by > 0,
    };
  }

  /** True when the branch already holds exactly these files: then there is nothing to push. */
  async #holds(ref: string, files: Proposal["files"]): Promise<boolean> {
    for (const file of files) {
      const current = await this.#content(file.path, ref);
      if (!current || Array.isArray(current)) return false;
      if (Buffer.from(current.content ?? "", "base64").toString("utf8") !== file.text) return false;
    }
    return true;
  }

  async propose(proposal: Proposal): Promise<ProposalResult> {
    const base = await this.defaultBranch();
    const head = await this.#head(base);
    let branchUpdated = true;
    let note: string | undefined;
    let existing: string | undefined;
    try {
      existing = (
        await this.#octokit.rest.git.getRef({
          owner: this.owner,
          repo: this.repo,
          ref: `heads/${proposal.branch}`,
        })
      ).data.object.sha;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const branch = existing ? await this.#branchState(existing, head.sha) : undefined;
    if (existing && branch && !branch.ours) {
      branchUpdated = false;
      note = `${proposal.branch} has commits by people: left as it is (never force-pushed); the PR description is refreshed`;
    } else if (existing && branch && !branch.behind && (await this.#holds(existing, proposal.files))) {
      // Same content on an up-to-date branch: pushing again would re-run CI and dismiss approvals.
      branchUpdated = false;
    } else {
      const sha = await this.#commitOn(head, { files: proposal.files, message: proposal.message });
      if (existing) {
        await this.#octokit.rest.git.updateRef({
          owner: this.owner,
          repo: this.repo,
          ref: `heads/${proposal.branch}`,
          sha,
          force: true,
        });
      } else {
        await this.#octokit.rest.git.createRef({
          owner: this.owner,
          repo: this.repo,
          ref: `refs/heads/${proposal.branch}`,
          sha,
        });
      }
    }
    const open = await this.#openPull(proposal.branch);
    let number: number;
    let url: string;
    if (open) {
      // Unchanged title and body: no write (the evaluation loop refreshes on every tick).
      if (open.title !== proposal.title || (open.body ?? "") !== proposal.body) {
        await this.#octokit.rest.pulls.update({
          owner: this.owner,
          repo: this.repo,
          pull_number: open.number,
          title: proposal.title,
          body: proposal.body,
        });
      }
      ({ number, html_url: url } = open);
    } else {
      const { data } = await this.#octokit.rest.pulls.create({
        owner: this.owner,
        repo: this.repo,
        head: proposal.branch,
        base,
        title: proposal.title,
        body: proposal.body,
      });
      ({ number, html_url: url } = data);
      if (proposal.labels.length > 0) {
        await this.#octokit.rest.issues.addLabels({
          owner: this.owner,
          repo: this.repo,
          issue_number: number,
          labels: proposal.labels,
        });
      }
    }
    const result: ProposalResult = { number, url, created: !open, branchUpdated };
    if (note) result.note = note;
    return result;
  }

  async closeProposal(branch: string, comment: string): Promise<boolean> {
    const open = await this.#openPull(branch);
    if (!open) return false;
    await this.#octokit.rest.issues.createComment({
      owner: this.owner,
      repo: this.repo,
      issue_number: open.number,
      body: comment,
    });
    await this.#octokit.rest.pulls.update({
      owner: this.owner,
      repo: this.repo,
      pull_number: open.number,
      state: "closed",
    });
    return true;
  }
}
