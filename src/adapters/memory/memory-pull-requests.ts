import type { RepoPermission } from "../../core/commands/authorize.ts";
import { RolloutError } from "../../core/errors.ts";
import type {
  AppliedChange,
  Change,
  CheckRun,
  Collaborators,
  CommitInfo,
  Proposal,
  PullRequest,
  PullRequestHost,
  Review,
} from "../../ports.ts";

/**
 * Pull requests kept in one process: the demo's stand-in for GitHub (its reviewers approve here, the
 * bot's gate check and merge land here) and the command tests' double. A merge lands the PR's change
 * on the default branch through `land` (the demo: a git commit in its repository), as a squash merge.
 */

export interface MemoryPull extends Proposal {
  number: number;
  open: boolean;
  headSha: string;
  closeComment?: string;
  /** Set once merged: the commit the merge made on the default branch. */
  mergeCommit?: string;
}

export interface MemoryPullRequestsOptions {
  /** `owner/name`: where the bot's branches live. */
  repo: string;
  botLogin?: string;
  /** Lands a merged PR's change on the default branch; without it a merge is only recorded. */
  land?: (change: Change) => Promise<AppliedChange>;
  url?: (number: number) => string;
}

const sameFiles = (a: Change["files"], b: Change["files"]) =>
  a.length === b.length && a.every((f, i) => f.path === b[i]?.path && f.text === b[i]?.text);

export class MemoryPullRequests implements PullRequestHost {
  readonly prs: MemoryPull[] = [];
  readonly reviewsOf = new Map<number, Review[]>();
  readonly checks: CheckRun[] = [];
  readonly comments: { issue: number; body: string }[] = [];
  readonly merged: number[] = [];
  login: string;
  readonly #repo: string;
  readonly #land: MemoryPullRequestsOptions["land"];
  readonly #url: (number: number) => string;
  #pushes = 0;

  constructor(options: MemoryPullRequestsOptions) {
    this.#repo = options.repo;
    this.login = options.botLogin ?? "rollout-bot[bot]";
    this.#land = options.land;
    this.#url = options.url ?? ((n) => `memory://pull/${n}`);
  }

  /** A reviewer's verdict, as a person submits it on GitHub. */
  review(number: number, login: string, state: Review["state"] = "APPROVED"): void {
    this.reviewsOf.set(number, [...(this.reviewsOf.get(number) ?? []), { login, isBot: false, state }]);
  }

  pullOf(p: MemoryPull): PullRequest {
    return {
      number: p.number,
      title: p.title,
      body: p.body,
      author: this.login,
      authorIsBot: true,
      headRef: p.branch,
      headSha: p.headSha,
      headRepo: this.#repo,
      baseRef: "main",
      url: this.#url(p.number),
    };
  }

  async botLogin(): Promise<string | undefined> {
    return this.login;
  }

  async propose(proposal: Proposal) {
    const open = this.prs.find((p) => p.open && p.branch === proposal.branch);
    if (open) {
      const changed = open.title !== proposal.title;
      // New content is a new head commit, as a push to the branch makes on GitHub.
      if (!sameFiles(open.files, proposal.files)) open.headSha = `sha-${open.number}.${++this.#pushes}`;
      Object.assign(open, proposal);
      return {
        number: open.number,
        url: this.#url(open.number),
        created: false,
        changed,
        branchUpdated: true,
      };
    }
    const number = this.prs.length + 1;
    this.prs.push({ ...proposal, number, open: true, headSha: `sha-${number}` });
    return { number, url: this.#url(number), created: true, changed: true, branchUpdated: true };
  }

  async close(branch: string, comment: string): Promise<boolean> {
    const open = this.prs.find((p) => p.open && p.branch === branch);
    if (!open) return false;
    open.open = false;
    open.closeComment = comment;
    return true;
  }

  async openBumpPulls(): Promise<PullRequest[]> {
    return this.prs.filter((p) => p.open).map((p) => this.pullOf(p));
  }

  async get(number: number): Promise<PullRequest | undefined> {
    const pr = this.prs.find((p) => p.number === number);
    return pr ? this.pullOf(pr) : undefined;
  }

  async files(number: number) {
    return (this.prs.find((p) => p.number === number)?.files ?? []).map((f) => ({
      path: f.path,
      status: "modified",
    }));
  }

  /** One commit per PR, the bot's own and signed, as GitHub shows what an App commits through the API. */
  async commits(number: number): Promise<CommitInfo[]> {
    const pr = this.prs.find((p) => p.number === number);
    return pr ? [{ sha: pr.headSha, authorLogin: this.login, verified: true, message: pr.message }] : [];
  }

  async reviews(number: number): Promise<Review[]> {
    return this.reviewsOf.get(number) ?? [];
  }

  async latestCheck(sha: string, name: string) {
    const last = this.checks.filter((c) => c.headSha === sha && c.name === name).at(-1);
    // No completion time: the gate rewrites its check on every refresh, as for a check never timed.
    return last ? { conclusion: last.conclusion, title: last.title, completedAt: undefined } : undefined;
  }

  async writeCheck(check: CheckRun): Promise<void> {
    this.checks.push(check);
  }

  /** Squash-merges if the head is still `sha`, landing the change on the default branch. */
  async merge(number: number, sha: string): Promise<void> {
    const pr = this.prs.find((p) => p.number === number);
    if (!pr?.open) throw new RolloutError("CONFLICT", `pull request #${number} is not open`);
    if (pr.headSha !== sha) throw new RolloutError("CONFLICT", `pull request #${number} has a new head`);
    const landed = await this.#land?.({ files: pr.files, message: pr.message });
    pr.open = false;
    pr.mergeCommit = landed?.commit ?? `merge-${number}`;
    this.merged.push(number);
  }

  async comment(issue: number, body: string): Promise<void> {
    this.comments.push({ issue, body });
  }

  async react(): Promise<void> {}

  async deleteBranch(): Promise<void> {}

  async mergedAs(branch: string, mergeSha: string): Promise<boolean> {
    return this.prs.some((p) => p.branch === branch && p.mergeCommit === mergeSha);
  }
}

/** People and their permission on the repository, and `org/team` → members. */
export class MemoryCollaborators implements Collaborators {
  constructor(
    readonly people = new Map<string, RepoPermission>(),
    readonly teamMembers = new Map<string, string[]>(),
  ) {}

  async permission(login: string): Promise<RepoPermission> {
    return this.people.get(login) ?? "none";
  }

  async teams(login: string, candidates: readonly string[]): Promise<string[]> {
    return candidates.filter((t) => this.teamMembers.get(t)?.includes(login));
  }
}
