import { FakeClock } from "./clock.ts";
import { type FlatTree, type GitCommit, type GitIdentity, GitObjects } from "./git-objects.ts";
import type { Permission, PullRequest, Repo, Review, ReviewState } from "./model.ts";
import type { OAuthClientState } from "./routes-oauth.ts";

export { FakeClock } from "./clock.ts";
export type { GitCommit } from "./git-objects.ts";
export type * from "./model.ts";

/**
 * The fake's whole world, in memory: repositories with their git objects and refs, pull requests,
 * reviews, comments, check runs, recorded workflow dispatches, permissions, teams and the one App
 * installation. Tests seed it directly and read it back; the HTTP routes only go through it.
 */

export interface SeedRepoOptions {
  owner: string;
  name: string;
  files?: Record<string, string>;
  /** Protect the default branch: direct ref updates and contents writes are refused. */
  protected?: boolean;
  collaborators?: Record<string, Permission>;
  private?: boolean;
  defaultBranch?: string;
}

export interface PushOptions {
  branch: string;
  /** path → new text; `null` deletes the file. */
  files: Record<string, string | null>;
  message?: string;
  author?: { name: string; email: string };
  /** Where a new branch starts (default: the default branch's tip). */
  from?: string;
}

const DEFAULT_AUTHOR = { name: "Octo Cat", email: "octocat@users.noreply.github.com" };

export class FakeGitHubState {
  readonly clock = new FakeClock();
  readonly repos = new Map<string, Repo>();
  /** `org/team-slug` → login → role. */
  readonly teams = new Map<string, Map<string, "member" | "maintainer">>();
  /** Tokens the fake knows: token → login acting. Unknown tokens act as the App's bot user. */
  readonly tokens = new Map<string, string>();
  readonly app = { id: 1001, slug: "rollout-bot", botLogin: "rollout-bot[bot]" };
  readonly installation = { id: 1, account: "acme", repositories: "all" as "all" | string[] };
  /** The App's own OAuth client (user sign-in through the web flow); see routes-oauth.ts. */
  readonly oauth: OAuthClientState = {
    clientId: "Iv23liFakeClientId01",
    clientSecret: "fake-client-secret-0123456789abcdef",
    callbackUrls: [],
    codes: new Map(),
    issued: [],
  };
  /** Manifests "registered" in the web UI (github.com/settings/apps/new), by their one-time code. */
  readonly manifestCodes = new Map<string, { manifest: Record<string, unknown>; owner: string }>();
  #nextId = 1000;

  /**
   * What github.com does when a person presses "Create GitHub App" on a posted manifest: keeps it
   * under a temporary code, which the browser then carries to the manifest's `redirect_url`.
   */
  submitManifest(manifest: Record<string, unknown>, owner = this.installation.account): string {
    const code = `mc${this.nextId()}${Math.random().toString(36).slice(2, 10)}`;
    this.manifestCodes.set(code, { manifest, owner });
    return code;
  }

  nextId(): number {
    this.#nextId += 1;
    return this.#nextId;
  }

  seedRepo(options: SeedRepoOptions): Repo {
    const defaultBranch = options.defaultBranch ?? "main";
    const createdAt = this.clock.stamp();
    const repo: Repo = {
      id: this.nextId(),
      owner: options.owner,
      name: options.name,
      fullName: `${options.owner}/${options.name}`,
      private: options.private ?? true,
      defaultBranch,
      createdAt,
      pushedAt: createdAt,
      objects: new GitObjects(),
      refs: new Map(),
      protectedBranches: new Set(options.protected ? [defaultBranch] : []),
      requiredChecks: new Map(),
      collaborators: new Map(Object.entries(options.collaborators ?? {})),
      pulls: new Map(),
      reviews: [],
      comments: [],
      checkRuns: [],
      dispatches: [],
      nextNumber: 1,
    };
    this.repos.set(repo.fullName.toLowerCase(), repo);
    const files = new Map(
      Object.entries(options.files ?? {}).map(([path, text]) => [path, repo.objects.putBlob(text)] as const),
    );
    const commit = this.commit(repo, { files, parents: [], message: "Initial commit" });
    repo.refs.set(`heads/${defaultBranch}`, commit.sha);
    return repo;
  }

  /** The repository, or undefined; `owner/name` is matched case-insensitively like GitHub. */
  findRepo(owner: string, name: string): Repo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repo(fullName: string): Repo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`fake GitHub has no repository ${fullName}; seed it with seedRepo()`);
    return repo;
  }

  seedTeam(org: string, slug: string, members: string[] | Record<string, "member" | "maintainer">): void {
    const entries = Array.isArray(members)
      ? members.map((m) => [m, "member"] as const)
      : Object.entries(members);
    this.teams.set(`${org}/${slug}`.toLowerCase(), new Map(entries));
  }

  /** Requires status checks on a branch (which makes it protected, as on GitHub). */
  requireChecks(fullName: string, branch: string, contexts: string[]): void {
    const repo = this.repo(fullName);
    repo.requiredChecks.set(branch, contexts);
  }

  protectBranch(fullName: string, branch: string): void {
    this.repo(fullName).protectedBranches.add(branch);
  }

  /** A token that acts as `login` (a human, for reviews or comments made through the API). */
  addToken(token: string, login: string): void {
    this.tokens.set(token, login);
  }

  /** Store a commit object (not moving any ref). */
  commit(
    repo: Repo,
    input: {
      files: FlatTree;
      parents: string[];
      message: string;
      author?: Partial<GitIdentity>;
      committer?: { name: string; email: string };
      signed?: boolean;
    },
  ): GitCommit {
    // Like GitHub: the author date may be given, the committer date is always "now".
    const now = this.clock.stamp();
    const author = { ...DEFAULT_AUTHOR, ...input.author, date: input.author?.date ?? now };
    return repo.objects.putCommit({
      treeSha: repo.objects.putTree(input.files),
      parents: input.parents,
      message: input.message,
      author,
      committer: { ...(input.committer ?? { name: "GitHub", email: "noreply@github.com" }), date: now },
      ...(input.signed ? { signed: true } : {}),
    });
  }

  /** Simulate a push (a human's commit, a teammate's change): one commit on `branch`. */
  push(fullName: string, options: PushOptions): GitCommit {
    const repo = this.repo(fullName);
    const parent =
      this.resolveRef(repo, options.branch) ?? this.resolveRef(repo, options.from ?? repo.defaultBranch);
    if (!parent) throw new Error(`cannot push to ${options.branch}: no starting commit`);
    const files = new Map(repo.objects.filesOf(parent));
    for (const [path, text] of Object.entries(options.files)) {
      if (text === null) files.delete(path);
      else files.set(path, repo.objects.putBlob(text));
    }
    const commit = this.commit(repo, {
      files,
      parents: [parent],
      message: options.message ?? `Update ${Object.keys(options.files).join(", ")}`,
      ...(options.author ? { author: options.author } : {}),
    });
    this.moveBranch(repo, options.branch, commit.sha);
    return commit;
  }

  moveBranch(repo: Repo, branch: string, sha: string): void {
    repo.refs.set(`heads/${branch}`, sha);
    repo.pushedAt = this.clock.stamp();
  }

  /** A commit sha for a branch, tag, `heads/…`/`refs/heads/…` ref, or a (possibly short) sha. */
  resolveRef(repo: Repo, ref: string): string | undefined {
    const bare = ref.replace(/^refs\//, "");
    const direct = repo.refs.get(bare) ?? repo.refs.get(`heads/${bare}`) ?? repo.refs.get(`tags/${bare}`);
    if (direct) return direct;
    if (/^[0-9a-f]{40}$/.test(ref)) return repo.objects.commits.has(ref) ? ref : undefined;
    if (/^[0-9a-f]{7,39}$/.test(ref)) {
      const matches = [...repo.objects.commits.keys()].filter((sha) => sha.startsWith(ref));
      return matches.length === 1 ? matches[0] : undefined;
    }
    return undefined;
  }

  /** The sha a pull request's head is at: its live branch while open, else where it ended. */
  headSha(repo: Repo, pull: PullRequest): string {
    // A fork's branch is not in this repository: GitHub keeps its head at refs/pull/N/head.
    if (pull.head.repo) return repo.refs.get(`pull/${pull.number}/head`) ?? pull.head.sha;
    if (pull.state === "open") return repo.refs.get(`heads/${pull.head.ref}`) ?? pull.head.sha;
    return pull.head.sha;
  }

  /** GitHub's `mergeable`: an override if a test set one, else whether a 3-way merge is clean. */
  mergeable(repo: Repo, pull: PullRequest): boolean {
    if (pull.mergeableOverride !== undefined) return pull.mergeableOverride;
    return this.mergeResult(repo, pull) !== undefined;
  }

  mergeResult(repo: Repo, pull: PullRequest): Map<string, string> | undefined {
    const base = this.resolveRef(repo, pull.base.ref);
    const head = this.headSha(repo, pull);
    if (!base) return undefined;
    const ancestor = repo.objects.mergeBase(base, head);
    const o = repo.objects;
    return o.mergeTrees(ancestor ? o.filesOf(ancestor) : new Map(), o.filesOf(base), o.filesOf(head));
  }

  addReview(
    fullName: string,
    pullNumber: number,
    review: { user: string; state: ReviewState; body?: string },
  ): Review {
    const repo = this.repo(fullName);
    const pull = repo.pulls.get(pullNumber);
    if (!pull) throw new Error(`no pull request #${pullNumber} in ${fullName}`);
    const stored: Review = {
      id: this.nextId(),
      pullNumber,
      user: review.user,
      state: review.state,
      body: review.body ?? "",
      submittedAt: this.clock.stamp(),
      commitId: this.headSha(repo, pull),
    };
    repo.reviews.push(stored);
    return stored;
  }

  /** A pull request from someone's fork (`fork` = `owner/name`): one commit of `files` on the default branch. */
  openForkPull(
    fullName: string,
    options: {
      fork: string;
      branch: string;
      files: Record<string, string>;
      title: string;
      body?: string;
      user: string;
    },
  ): PullRequest {
    const repo = this.repo(fullName);
    const base = this.resolveRef(repo, repo.defaultBranch);
    if (!base) throw new Error(`${fullName} has no ${repo.defaultBranch}`);
    const files = new Map(repo.objects.filesOf(base));
    for (const [path, text] of Object.entries(options.files)) files.set(path, repo.objects.putBlob(text));
    const commit = this.commit(repo, {
      files,
      parents: [base],
      message: options.title,
      author: { name: options.user, email: `${options.user}@example.invalid` },
    });
    const number = repo.nextNumber++;
    repo.refs.set(`pull/${number}/head`, commit.sha);
    const now = this.clock.stamp();
    const pull: PullRequest = {
      id: this.nextId(),
      number,
      title: options.title,
      body: options.body ?? null,
      state: "open",
      draft: false,
      user: options.user,
      head: { ref: options.branch, sha: commit.sha, repo: options.fork },
      base: { ref: repo.defaultBranch },
      labels: [],
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
      maintainerCanModify: false,
    };
    repo.pulls.set(number, pull);
    return pull;
  }

  setMergeable(fullName: string, pullNumber: number, mergeable: boolean | undefined): void {
    const pull = this.repo(fullName).pulls.get(pullNumber);
    if (!pull) throw new Error(`no pull request #${pullNumber} in ${fullName}`);
    if (mergeable === undefined) delete pull.mergeableOverride;
    else pull.mergeableOverride = mergeable;
  }

  // ---- read back, for assertions ----

  /** A file's text at a branch, tag or sha; undefined when absent. */
  fileAt(fullName: string, ref: string, path: string): string | undefined {
    const repo = this.repo(fullName);
    const sha = this.resolveRef(repo, ref);
    const blob = sha ? repo.objects.filesOf(sha).get(path) : undefined;
    return blob ? repo.objects.blobs.get(blob)?.toString("utf8") : undefined;
  }

  /** The commits reachable from a branch, newest first (first parent before second on ties). */
  commitsOn(fullName: string, branch: string): GitCommit[] {
    const repo = this.repo(fullName);
    const tip = this.resolveRef(repo, branch);
    const seen = new Set<string>();
    const out: GitCommit[] = [];
    const queue = tip ? [tip] : [];
    while (queue.length > 0) {
      const sha = queue.shift()!;
      const commit = repo.objects.commits.get(sha);
      if (!commit || seen.has(sha)) continue;
      seen.add(sha);
      out.push(commit);
      queue.push(...commit.parents);
    }
    return out.sort((a, b) =>
      a.committer.date < b.committer.date ? 1 : a.committer.date > b.committer.date ? -1 : 0,
    );
  }

  openPulls(fullName: string): PullRequest[] {
    return [...this.repo(fullName).pulls.values()].filter((p) => p.state === "open");
  }
}
