import { createHash } from "node:crypto";
import type { RepoPermission } from "../../src/core/commands/authorize.ts";
import { isRolloutPath } from "../../src/core/config/rollout-file.ts";
import { RolloutError } from "../../src/core/errors.ts";
import type {
  AppliedChange,
  Change,
  CheckRun,
  Collaborators,
  DispatchOutcome,
  HistoryEntry,
  Proposal,
  PullRequest,
  PullRequestHost,
  RepoFile,
  RepoStore,
  Review,
  WorkflowDispatch,
  WorkflowRun,
} from "../../src/ports.ts";

/** Pull requests for a MemoryPullRequestStore. */
export interface MemoryPull extends Proposal {
  number: number;
  open: boolean;
  closeComment?: string;
}

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
  /** Pull requests (a MemoryPullRequestStore opens them). */
  readonly prs: MemoryPull[] = [];
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
    if (this.people.size === 0) return undefined;
    return {
      permission: async (login) => this.people.get(login) ?? "none",
      teams: async (login, candidates) => candidates.filter((t) => this.teams.get(t)?.includes(login)),
    };
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
  readonly reviews = new Map<number, Review[]>();
  readonly checks: CheckRun[] = [];
  readonly comments: { issue: number; body: string }[] = [];
  readonly merged: number[] = [];
  botLogin = "rollout-bot[bot]";

  readonly pulls: PullRequestHost = {
    botLogin: async () => this.botLogin,
    propose: async (proposal) => {
      const open = this.prs.find((p) => p.open && p.branch === proposal.branch);
      if (open) {
        const changed = open.title !== proposal.title;
        Object.assign(open, proposal);
        return {
          number: open.number,
          url: `memory://pull/${open.number}`,
          created: false,
          changed,
          branchUpdated: true,
        };
      }
      const number = this.prs.length + 1;
      this.prs.push({ ...proposal, number, open: true });
      return { number, url: `memory://pull/${number}`, created: true, changed: true, branchUpdated: true };
    },
    close: async (branch, comment) => {
      const open = this.prs.find((p) => p.open && p.branch === branch);
      if (!open) return false;
      open.open = false;
      open.closeComment = comment;
      return true;
    },
    openBumpPulls: async () => this.prs.filter((p) => p.open).map((p) => this.pullOf(p)),
    get: async (number) => {
      const pr = this.prs.find((p) => p.number === number);
      return pr ? this.pullOf(pr) : undefined;
    },
    files: async (number) =>
      (this.prs.find((p) => p.number === number)?.files ?? []).map((f) => ({
        path: f.path,
        status: "modified",
      })),
    commits: async () => [],
    reviews: async (number) => this.reviews.get(number) ?? [],
    latestCheck: async (sha, name) => {
      const last = this.checks.filter((c) => c.headSha === sha && c.name === name).at(-1);
      return last ? { conclusion: last.conclusion, title: last.title, completedAt: undefined } : undefined;
    },
    writeCheck: async (check) => {
      this.checks.push(check);
    },
    merge: async (number) => {
      this.merged.push(number);
    },
    comment: async (issue, body) => {
      this.comments.push({ issue, body });
    },
    react: async () => {},
    deleteBranch: async () => {},
    mergedAs: async () => false,
  };

  pullOf(p: MemoryPull): PullRequest {
    return {
      number: p.number,
      title: p.title,
      body: p.body,
      author: this.botLogin,
      authorIsBot: true,
      headRef: p.branch,
      headSha: `sha-${p.number}`,
      headRepo: this.name,
      baseRef: "main",
      url: `memory://pull/${p.number}`,
    };
  }
}
