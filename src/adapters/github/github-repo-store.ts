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
  WorkflowRun,
} from "../../ports.ts";
import { GitHubCollaborators } from "./github-collaborators.ts";
import { commitOnBranchError, refUpdateError } from "./github-errors.ts";
import { GitHubPulls } from "./github-pulls.ts";
import { type ContentEntry, GitHubRepo, type GitHubRepoOptions } from "./github-repo.ts";
import { RepoSnapshots, type SnapshotFile } from "./repo-snapshots.ts";
import { lane } from "./write-lanes.ts";

/**
 * A repository on GitHub (or GHES) through Octokit. Reads are conditional (ETag → 304, free of rate
 * limit); writes are compare-and-swap: a file's blob sha must still be the one read, and the ref moves
 * only as a fast-forward, so a concurrent change is never overwritten (CONFLICT → the command retries).
 */

export interface GitHubRepoStoreOptions extends GitHubRepoOptions {
  /** The CLI or the Action, opted in: metrics URLs in this repository's files are used. */
  repoMetricsUrls?: boolean;
  /** What was last read under `.github/`, shared by every store of the process. */
  snapshots?: RepoSnapshots;
}

/** A head read along with a rollout file, for a commit of several files shortly after (CAS on the branch). */
const HEAD_PREFETCH_MS = 10_000;

export class GitHubRepoStore implements RepoStore {
  readonly name: string;
  readonly owner: string;
  readonly repo: string;
  readonly pulls: GitHubPulls;
  readonly collaborators: GitHubCollaborators;
  readonly repoMetricsUrls: boolean;
  readonly #gh: GitHubRepo;
  readonly #snapshots: RepoSnapshots;
  #head: { at: number; sha: Promise<string> } | undefined;
  #listing: Promise<ContentEntry[] | undefined> | undefined;

  constructor(octokit: Octokit, options: GitHubRepoStoreOptions) {
    this.#gh = new GitHubRepo(octokit, options);
    this.#snapshots = options.snapshots ?? new RepoSnapshots();
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
    return (await this.readConfiguration()).rollouts;
  }

  /**
   * Every rollout file and the settings file. The `.github` listing is read conditionally: 304 (free)
   * proves nothing under it changed; otherwise only the folder and the files whose sha changed are
   * read. With `trustWebhooks` (the scheduler's poll), a repository checked within the trust window
   * with no push since is answered from what was read, with no request.
   */
  async readConfiguration(
    options: { trustWebhooks?: boolean } = {},
  ): Promise<{ rollouts: RepoFile[]; settings: RepoFile | undefined }> {
    const trusted = options.trustWebhooks ? this.#snapshots.trusted(this.name) : undefined;
    const snapshot = trusted ?? (await this.#refresh());
    return {
      rollouts: snapshot.rollouts.map(asRepoFile),
      settings: snapshot.settings ? asRepoFile(snapshot.settings) : undefined,
    };
  }

  async #refresh() {
    const known = this.#snapshots.get(this.name);
    const entries = (await this.#githubListing()) ?? [];
    const folder = entries.find((e) => e.path === ROLLOUTS_DIR && e.type === "dir");
    const settingsEntry = entries.find((e) => e.path === SETTINGS_PATH && e.type === "file");
    const [rollouts, settings] = await Promise.all([
      !folder
        ? []
        : known?.rolloutsTree === folder.sha
          ? known.rollouts
          : this.#readRollouts(known?.rollouts ?? []),
      !settingsEntry
        ? null
        : known?.settings?.sha === settingsEntry.sha
          ? known.settings
          : this.#readBlob(SETTINGS_PATH),
    ]);
    return this.#snapshots.set(this.name, {
      rolloutsTree: folder?.sha,
      rollouts,
      settings: settings ?? null,
    });
  }

  /** One `.github` listing at a time per store: the settings and the rollouts ask for it together. */
  #githubListing(): Promise<ContentEntry[] | undefined> {
    this.#listing ??= this.#gh
      .content(".github")
      .then((listing) => (Array.isArray(listing) ? listing : undefined))
      .finally(() => {
        this.#listing = undefined;
      });
    return this.#listing;
  }

  async #readRollouts(previous: readonly SnapshotFile[]): Promise<SnapshotFile[]> {
    const listing = await this.#gh.content(ROLLOUTS_DIR);
    if (!Array.isArray(listing)) return [];
    const bySha = new Map(previous.map((f) => [`${f.path}\u0000${f.sha}`, f]));
    const entries = listing
      .filter((e) => e.type === "file" && isRolloutFileName(e.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const files = await Promise.all(
      entries.map((e) => bySha.get(`${e.path}\u0000${e.sha}`) ?? this.#readBlob(e.path)),
    );
    return files.filter((f): f is SnapshotFile => f !== undefined);
  }

  async #readBlob(path: string, ref?: string): Promise<SnapshotFile | undefined> {
    const data = await this.#gh.content(path, ref);
    if (data === undefined || Array.isArray(data) || data.type !== "file") return undefined;
    return { path, text: GitHubRepo.text(data), sha: data.sha };
  }

  async readFile(path: string, ref?: string): Promise<RepoFile | undefined> {
    if (ref === undefined && path === SETTINGS_PATH) return this.#readSettings();
    const file = await this.#readBlob(path, ref);
    return file ? asRepoFile(file) : undefined;
  }

  /**
   * Most repositories have no settings file: a 404 counts against the rate limit, a 304 on the folder
   * listing does not. A repository last seen without one is looked up in the (conditional) listing; one
   * with one, or never seen, is read directly — one wave either way.
   */
  async #readSettings(): Promise<RepoFile | undefined> {
    if (this.#snapshots.get(this.name)?.settings === null) {
      const entries = await this.#githubListing();
      if (!entries?.some((e) => e.path === SETTINGS_PATH && e.type === "file")) return undefined;
    }
    const file = await this.#readBlob(SETTINGS_PATH);
    return file ? asRepoFile(file) : undefined;
  }

  /** The branch head, read along with the files, for the compare-and-swap of a commit of several files. */
  readHeadAhead(): void {
    const now = Date.now();
    if (this.#head && now - this.#head.at < 1_000) return;
    const sha = this.defaultBranch().then((branch) => this.#gh.ref(branch));
    sha.catch(() => undefined);
    this.#head = { at: now, sha };
  }

  /** The head read with the files when it is recent, else read now; used once. */
  async #headFor(branch: string): Promise<string> {
    const prefetched = this.#head;
    this.#head = undefined;
    if (prefetched && Date.now() - prefetched.at < HEAD_PREFETCH_MS) {
      const sha = await prefetched.sha.catch(() => undefined);
      if (sha) return sha;
    }
    return this.#gh.ref(branch);
  }

  /** A push (webhook) changed these paths on the default branch: what was read of them is stale. */
  changed(paths: readonly string[]): void {
    if (paths.some((p) => p.startsWith(".github/"))) this.#snapshots.invalidate(this.name);
  }

  /** Compare-and-swap on content: each file must still be, at `headSha`, the blob it was computed from. */
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
    // Whatever happens, what was read under .github/ is no longer known to be current.
    if (change.files.some((f) => f.path.startsWith(".github/"))) this.#snapshots.invalidate(this.name);
    const branch = await this.defaultBranch();
    const [only] = change.files;
    if (change.files.length === 1 && only?.baseVersion !== undefined)
      return this.#putFile(branch, only, change.message, change.urgent);
    // Several files: the head they are checked at, and ONE write that applies only while the branch is
    // still there (createCommitOnBranch's expectedHeadOid).
    const head = await this.#headFor(branch);
    await this.#checkBase(change, head);
    try {
      const commit = await this.#gh.commitOnBranch(branch, head, change);
      return { commit: commit.oid, url: commit.url || this.webUrl("commit", commit.oid) };
    } catch (error) {
      throw commitOnBranchError(error, branch);
    }
  }

  /**
   * One file: the contents API commits and moves the branch in ONE write, compare-and-swap on the blob
   * sha (409 when stale). GitHub paces writes about a second apart, so this is ~2 s sooner than the
   * git data API's tree + commit + ref for a rollback.
   */
  async #putFile(
    branch: string,
    file: Change["files"][number],
    message: string,
    urgent: boolean | undefined,
  ): Promise<AppliedChange> {
    try {
      const { data } = await this.#gh.octokit.rest.repos.createOrUpdateFileContents({
        ...this.#gh.coordinates,
        path: file.path,
        branch,
        message,
        content: Buffer.from(file.text, "utf8").toString("base64"),
        ...(file.baseVersion ? { sha: file.baseVersion } : {}),
        ...lane(urgent),
      });
      const sha = data.commit.sha ?? "";
      return { commit: sha, url: data.commit.html_url ?? this.webUrl("commit", sha) };
    } catch (error) {
      throw refUpdateError(error, branch);
    }
  }

  async dispatchWorkflow(
    dispatch: WorkflowDispatch,
    options: { urgent?: boolean } = {},
  ): Promise<DispatchOutcome> {
    await this.#gh.octokit.rest.actions.createWorkflowDispatch({
      ...this.#gh.coordinates,
      workflow_id: dispatch.workflow,
      ref: dispatch.ref ?? (await this.defaultBranch()),
      inputs: dispatch.inputs,
      ...lane(options.urgent),
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

  async dispatchRunsSince(workflow: string, since: string): Promise<WorkflowRun[]> {
    // The newest 100, filtered here: the description types `created` as a plain date-time, so a
    // `>=` range is not sent (the reconcile looks back an hour; 100 dispatches of one workflow is plenty).
    const { data } = await this.#gh.octokit.rest.actions.listWorkflowRuns({
      ...this.#gh.coordinates,
      workflow_id: workflow,
      event: "workflow_dispatch",
      per_page: 100,
    });
    const from = Date.parse(since);
    return data.workflow_runs
      .filter((r) => Date.parse(r.created_at) >= from)
      .map((r) => ({ headSha: r.head_sha, createdAt: r.created_at }));
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

const asRepoFile = (f: SnapshotFile): RepoFile => ({ path: f.path, text: f.text, version: f.sha });
