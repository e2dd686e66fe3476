import type { Octokit } from "@octokit/rest";
import {
  isRolloutFileName,
  ROLLOUTS_DIR,
  rolloutIdFromPath,
  SETTINGS_PATH,
} from "../../core/config/rollout-file.ts";
import { RolloutError } from "../../core/errors.ts";
import { parseBody, renderBranch } from "../../core/messages/bump-pr.ts";
import type {
  AppliedChange,
  Change,
  DispatchOutcome,
  HistoryEntry,
  RepoFile,
  RepoStore,
  WorkflowDispatch,
} from "../../ports.ts";
import { GitHubCollaborators } from "./github-collaborators.ts";
import { refUpdateError } from "./github-errors.ts";
import { GitHubPulls } from "./github-pulls.ts";
import { GitHubRepo, type GitHubRepoOptions } from "./github-repo.ts";

/**
 * A repository on GitHub (or GHES) through Octokit. Reads are conditional (ETag → 304, free of rate
 * limit); writes are compare-and-swap: a file's blob sha must still be the one read, and the ref moves
 * only as a fast-forward, so a concurrent change is never overwritten (CONFLICT → the command retries).
 */

export interface GitHubRepoStoreOptions extends GitHubRepoOptions {
  /** The CLI or the Action, opted in: metrics URLs in this repository's files are used. */
  repoMetricsUrls?: boolean;
}

export class GitHubRepoStore implements RepoStore {
  readonly name: string;
  readonly owner: string;
  readonly repo: string;
  readonly pulls: GitHubPulls;
  readonly collaborators: GitHubCollaborators;
  readonly repoMetricsUrls: boolean;
  readonly #gh: GitHubRepo;

  constructor(octokit: Octokit, options: GitHubRepoStoreOptions) {
    this.#gh = new GitHubRepo(octokit, options);
    this.owner = options.owner;
    this.repo = options.repo;
    this.name = this.#gh.name;
    this.pulls = new GitHubPulls(this.#gh);
    this.collaborators = new GitHubCollaborators(this.#gh);
    this.repoMetricsUrls = options.repoMetricsUrls ?? false;
  }

  defaultBranch(): Promise<string> {
    return this.#gh.defaultBranch();
  }

  webUrl(kind: "blob" | "commit", target: string): string {
    return this.#gh.web(kind, target);
  }

  async listRolloutFiles(): Promise<RepoFile[]> {
    const listing = await this.#gh.content(ROLLOUTS_DIR);
    if (!Array.isArray(listing)) return [];
    const names = listing
      .filter((e) => e.type === "file" && isRolloutFileName(e.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const files = await Promise.all(names.map((e) => this.readFile(e.path)));
    return files.filter((f): f is RepoFile => f !== undefined);
  }

  async readFile(path: string, ref?: string): Promise<RepoFile | undefined> {
    // Most repositories have no settings file: a 404 counts against the rate limit on every tick, a
    // 304 on the folder listing does not. Look in the (conditional) listing first.
    if (path === SETTINGS_PATH && ref === undefined) {
      const listing = await this.#gh.content(".github");
      if (!Array.isArray(listing) || !listing.some((e) => e.path === SETTINGS_PATH && e.type === "file"))
        return undefined;
    }
    const data = await this.#gh.content(path, ref);
    if (data === undefined || Array.isArray(data) || data.type !== "file") return undefined;
    return { path, text: GitHubRepo.text(data), version: data.sha };
  }

  /** Compare-and-swap on content: each file must still be the blob it was computed from. */
  async #checkBase(change: Change, headSha: string): Promise<void> {
    // In parallel: every request before the commit delays a rollback's dispatch.
    await Promise.all(
      change.files.map(async (file) => {
        if (file.baseVersion === undefined) return;
        const current = await this.#gh.content(file.path, headSha);
        const sha = current && !Array.isArray(current) ? current.sha : undefined;
        if (sha !== file.baseVersion)
          throw new RolloutError("CONFLICT", `${file.path} changed since it was read`);
      }),
    );
  }

  async commit(change: Change): Promise<AppliedChange> {
    const branch = await this.defaultBranch();
    const [only] = change.files;
    if (change.files.length === 1 && only?.baseVersion !== undefined)
      return this.#putFile(branch, only, change.message);
    const head = await this.#gh.head(branch);
    await this.#checkBase(change, head.sha);
    const sha = await this.#gh.commitOn(head, change);
    try {
      // force: false — GitHub refuses anything but a fast-forward: the ref-level compare-and-swap.
      await this.#gh.octokit.rest.git.updateRef({
        ...this.#gh.coordinates,
        ref: `heads/${branch}`,
        sha,
        force: false,
      });
    } catch (error) {
      throw refUpdateError(error, branch);
    }
    return { commit: sha, url: this.webUrl("commit", sha) };
  }

  /**
   * One file: the contents API commits and moves the branch in ONE write, compare-and-swap on the blob
   * sha (409 when stale). GitHub paces writes about a second apart, so this is ~2 s sooner than the
   * git data API's tree + commit + ref for a rollback.
   */
  async #putFile(branch: string, file: Change["files"][number], message: string): Promise<AppliedChange> {
    try {
      const { data } = await this.#gh.octokit.rest.repos.createOrUpdateFileContents({
        ...this.#gh.coordinates,
        path: file.path,
        branch,
        message,
        content: Buffer.from(file.text, "utf8").toString("base64"),
        ...(file.baseVersion ? { sha: file.baseVersion } : {}),
      });
      const sha = data.commit.sha ?? "";
      return { commit: sha, url: data.commit.html_url ?? this.webUrl("commit", sha) };
    } catch (error) {
      throw refUpdateError(error, branch);
    }
  }

  async dispatchWorkflow(dispatch: WorkflowDispatch): Promise<DispatchOutcome> {
    await this.#gh.octokit.rest.actions.createWorkflowDispatch({
      ...this.#gh.coordinates,
      workflow_id: dispatch.workflow,
      ref: dispatch.ref ?? (await this.defaultBranch()),
      inputs: dispatch.inputs,
    });
    return { dispatched: true };
  }

  async dispatchedRuns(workflow: string, commit: string): Promise<number> {
    const { data } = await this.#gh.octokit.rest.actions.listWorkflowRuns({
      ...this.#gh.coordinates,
      workflow_id: workflow,
      event: "workflow_dispatch",
      head_sha: commit,
      per_page: 1,
    });
    return data.total_count;
  }

  async history(path: string): Promise<HistoryEntry[]> {
    const { data } = await this.#gh.octokit.rest.repos.listCommits({
      ...this.#gh.coordinates,
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
    const known = version === undefined ? undefined : this.#gh.etags.recall<Date | null>(key, version);
    if (known !== undefined) return known ?? undefined;
    const at = await this.#findStageStart(path, percent);
    if (version !== undefined) this.#gh.etags.remember(key, version, at ?? null);
    return at;
  }

  async #findStageStart(path: string, percent: number): Promise<Date | undefined> {
    // The merge time of the bump PR that set this percentage: a file's commit history would give the
    // branch commit's time instead when the PR was merged with a merge commit.
    const id = rolloutIdFromPath(path);
    if (id) {
      const { data } = await this.#gh.octokit.rest.pulls.list({
        ...this.#gh.coordinates,
        head: `${this.owner}:${renderBranch(id)}`,
        state: "closed",
        sort: "updated",
        direction: "desc",
        per_page: 10,
      });
      const merged = data.find((p) => p.merged_at && parseBody(p.body)?.to === percent);
      if (merged?.merged_at) return new Date(merged.merged_at);
    }
    const { data } = await this.#gh.octokit.rest.repos.listCommits({
      ...this.#gh.coordinates,
      path,
      per_page: 1,
    });
    const date = data[0]?.commit.committer?.date ?? data[0]?.commit.author?.date;
    return date ? new Date(date) : undefined;
  }
}
