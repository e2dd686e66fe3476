import { createHash } from "node:crypto";
import {
  MemoryCollaborators,
  type MemoryPull,
  MemoryPullRequests,
} from "../../src/adapters/memory/memory-pull-requests.ts";
import type { RepoPermission } from "../../src/core/commands/authorize.ts";
import { isRolloutPath } from "../../src/core/config/rollout-file.ts";
import { RolloutError } from "../../src/core/errors.ts";
import type {
  AppliedChange,
  Change,
  Collaborators,
  DispatchOutcome,
  HistoryEntry,
  PullRequest,
  RepoFile,
  RepoStore,
  WorkflowDispatch,
  WorkflowRun,
} from "../../src/ports.ts";

export type { MemoryPull };

/** An in-memory repository with compare-and-swap writes: the fake for command tests. */
export class MemoryRepoStore implements RepoStore {
  readonly name: string;
  readonly files = new Map<string, string>();
  readonly commits: (Change & { id: string; date: string; author: string })[] = [];
  readonly dispatches: WorkflowDispatch[] = [];
  /** A workflow run per dispatch, on the head at the time (as GitHub records them). */
  readonly runs: (WorkflowRun & { workflow: string })[] = [];
  /** Makes the next dispatch throw, to test that a rollback is still committed and reported. */
  failNextDispatch?: Error;
  /** Refuse direct commits like a protected default branch. */
  protectedBranch = false;
  /** People and their permission, for `collaborators`; unset: a store without accounts (like a checkout). */
  readonly people = new Map<string, RepoPermission>();
  /** `org/team` → members. */
  readonly teams = new Map<string, string[]>();
  #now: () => Date;

  constructor(name: string, files: Record<string, string> = {}, now: () => Date = () => new Date(0)) {
    this.name = name;
    this.#now = now;
    for (const [path, text] of Object.entries(files)) this.files.set(path, text);
  }

  get collaborators(): Collaborators | undefined {
    return this.people.size === 0 ? undefined : new MemoryCollaborators(this.people, this.teams);
  }

  static version(text: string): string {
    return createHash("sha1").update(text).digest("hex");
  }

  async listRolloutFiles(): Promise<RepoFile[]> {
    return [...this.files.keys()]
      .filter(isRolloutPath)
      .sort()
      .map((path) => ({
        path,
        text: this.files.get(path) ?? "",
        version: MemoryRepoStore.version(this.files.get(path) ?? ""),
      }));
  }

  async readFile(path: string): Promise<RepoFile | undefined> {
    const text = this.files.get(path);
    return text === undefined ? undefined : { path, text, version: MemoryRepoStore.version(text) };
  }

  async commit(change: Change): Promise<AppliedChange> {
    if (this.protectedBranch) throw new RolloutError("PROTECTED", "protected branch: direct commits refused");
    for (const file of change.files) {
      const current = this.files.get(file.path);
      if (
        file.baseVersion !== undefined &&
        (current === undefined || MemoryRepoStore.version(current) !== file.baseVersion)
      ) {
        throw new RolloutError("CONFLICT", `${file.path} changed since it was read`);
      }
    }
    for (const file of change.files) this.files.set(file.path, file.text);
    const id = createHash("sha1").update(`${this.commits.length}:${change.message}`).digest("hex");
    this.commits.push({ ...change, id, date: this.#now().toISOString(), author: "rollout-bot" });
    return { commit: id };
  }

  async dispatchWorkflow(dispatch: WorkflowDispatch): Promise<DispatchOutcome> {
    if (this.failNextDispatch) {
      const error = this.failNextDispatch;
      delete this.failNextDispatch;
      throw error;
    }
    this.dispatches.push(dispatch);
    this.runs.unshift({
      workflow: dispatch.workflow,
      headSha: this.commits.at(-1)?.id ?? "root",
      createdAt: this.#now().toISOString(),
    });
    return { dispatched: true };
  }

  async dispatchRunsSince(workflow: string, since: string): Promise<WorkflowRun[]> {
    return this.runs.filter((r) => r.workflow === workflow && r.createdAt >= since);
  }

  async history(path: string): Promise<HistoryEntry[]> {
    return this.commits
      .filter((c) => c.files.some((f) => f.path === path))
      .map((c) => ({ commit: c.id, date: c.date, author: c.author, message: c.message }))
      .reverse();
  }
}

/** A MemoryRepoStore that behaves like a host with pull requests (GitHub): advance proposes. */
export class MemoryPullRequestStore extends MemoryRepoStore {
  /** The host itself (src/adapters/memory): merges are recorded, not landed. */
  readonly pulls = new MemoryPullRequests({ repo: this.name });
  readonly prs: MemoryPull[] = this.pulls.prs;
  readonly reviews = this.pulls.reviewsOf;
  readonly checks = this.pulls.checks;
  readonly comments = this.pulls.comments;
  readonly merged = this.pulls.merged;

  get botLogin(): string {
    return this.pulls.login;
  }
  set botLogin(login: string) {
    this.pulls.login = login;
  }

  pullOf(p: MemoryPull): PullRequest {
    return this.pulls.pullOf(p);
  }
}
