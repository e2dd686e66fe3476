/**
 * The small interfaces the commands need from the outside world. The core never imports an adapter;
 * commands receive these, and surfaces wire real (GitHub, Slack, Prometheus, filesystem) or in-memory ones.
 */

import type { RunCoordinator } from "node-cron";
import type { InboxAlert } from "./core/alerts/alert.ts";
import type { RepoPermission } from "./core/commands/authorize.ts";
import type { CommitInfo, PullRequest } from "./core/messages/pull-request.ts";
import type { StatusMessage } from "./core/messages/status-message.ts";
import type { WeeklyReport } from "./core/messages/weekly-report.ts";
import type { Alert } from "./core/rollout/health.ts";
import type {
  MetricRequest,
  MetricResult,
  RangeRequest,
  RangeResult,
  TimeRange,
} from "./core/rollout/metric-request.ts";
import type { WorkflowRun } from "./core/rollout/missed-dispatch.ts";
import type { WorkflowDispatch } from "./core/rollout/plan.ts";

export interface Clock {
  now(): Date;
}

/** A file as read from the repository, with the version needed for compare-and-swap writes. */
export interface RepoFile {
  path: string;
  text: string;
  /** Blob sha or other version token; undefined for a file that does not exist yet. */
  version?: string | undefined;
}

export interface Change {
  /** Files to write, each with the version it was computed from (compare-and-swap). */
  files: { path: string; text: string; baseVersion?: string | undefined }[];
  /** Commit message including audit trailers. */
  message: string;
  /** A rollback's: its writes go ahead of the host's other queued writes. */
  urgent?: boolean | undefined;
}

export interface AppliedChange {
  /** Commit id when the change was committed; undefined when written to a work tree only. */
  commit?: string | undefined;
  url?: string | undefined;
}

export interface HistoryEntry {
  commit: string;
  date: string;
  author: string;
  message: string;
}

export type { WorkflowDispatch, WorkflowRun };

export interface DispatchOutcome {
  dispatched: boolean;
  /** The store cannot dispatch at all (a plain checkout): nothing to retry or finish later. */
  unsupported?: boolean;
  detail?: string;
}

/** A change proposed as a pull request (the bump PR, or a rollback the branch protection refused). */
export interface Proposal {
  branch: string;
  title: string;
  body: string;
  labels: string[];
  files: Change["files"];
  message: string;
  /** A rollback's (the urgent PR on a protected branch): its writes go ahead of other queued writes. */
  urgent?: boolean | undefined;
}

export interface ProposalResult {
  number: number;
  url: string;
  created: boolean;
  /**
   * The PR now proposes something it did not before (new, or another target: its title changed);
   * false for a refresh of the same proposal. Undefined where the host cannot tell: treated as changed.
   */
  changed?: boolean;
  /** False when a person's commit on the branch kept the bot from updating it. */
  branchUpdated: boolean;
  note?: string;
}

export type { PullRequest };

/** One reviewer's verdict, as GitHub lists reviews (oldest first). */
export interface Review {
  login: string;
  isBot: boolean;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
}

export type { CommitInfo };

export interface CheckRun {
  name: string;
  headSha: string;
  conclusion: "success" | "failure" | "neutral";
  title: string;
  summary: string;
  annotations?: { path: string; line: number; message: string; title: string }[];
}

export type Reaction = "eyes" | "rocket" | "confused";

/** Pull requests, reviews, checks and comments on a host that has them (GitHub). */
export interface PullRequestHost {
  /** The login the bot acts as here (`<app>[bot]`): only its own PRs are bump PRs. */
  botLogin(): Promise<string | undefined>;
  /** Opens or refreshes the PR on `proposal.branch` (never duplicated, a person's commit never force-pushed). */
  propose(proposal: Proposal): Promise<ProposalResult>;
  /** Closes the open PR of a branch with a comment saying why; false when none was open. */
  close(branch: string, comment: string): Promise<boolean>;
  /** Open PRs whose head branch is a `rollout/…` branch (read conditionally: the schedule polls it). */
  openBumpPulls(): Promise<PullRequest[]>;
  get(number: number): Promise<PullRequest | undefined>;
  /** Paths the PR changes, with GitHub's status (added, modified, removed, renamed …). */
  files(number: number): Promise<{ path: string; status: string }[]>;
  /** The commits the PR adds on top of its base, oldest first. */
  commits(number: number): Promise<CommitInfo[]>;
  reviews(number: number): Promise<Review[]>;
  /** The newest check run of that name on a commit. */
  latestCheck(
    headSha: string,
    name: string,
  ): Promise<{ conclusion: string | null; title: string; completedAt: string | undefined } | undefined>;
  writeCheck(check: CheckRun): Promise<void>;
  /** Squash-merges, only if the head is still `sha` (compare-and-swap). */
  merge(number: number, sha: string): Promise<void>;
  comment(issueNumber: number, body: string): Promise<void>;
  react(commentId: number, reaction: Reaction): Promise<void>;
  deleteBranch(branch: string): Promise<void>;
  /** Whether a closed PR from `branch` was merged as `mergeSha` (a push that is a bump PR's merge). */
  mergedAs(branch: string, mergeSha: string): Promise<boolean>;
  /** Whether `context` is a required status check on the default branch; undefined when unknown. */
  requiredCheck?(context: string): Promise<boolean | undefined>;
}

/** Who people are on the host: repository permission and team membership. */
export interface Collaborators {
  permission(login: string): Promise<RepoPermission>;
  /** Of the `org/team` slugs given, those the user is an active member of. */
  teams(login: string, candidates: readonly string[]): Promise<string[]>;
}

/** The repository holding `.github/rollouts/*.yml` and `.github/rollout-bot.yml`. */
export interface RepoStore {
  /** Human-readable name: `owner/repo` or a local path. */
  readonly name: string;
  /**
   * Whoever runs this store opted in to metrics URLs written in its files (the CLI's
   * --allow-repo-metrics-url, the Action's input); the server never sets it.
   */
  readonly repoMetricsUrls?: boolean;
  listRolloutFiles(): Promise<RepoFile[]>;
  /**
   * Every rollout file and the settings file at once, from what the store already read where it can
   * tell nothing changed (GitHub: a 304 on the `.github` listing, files by blob sha). `trustWebhooks`:
   * the scheduler's poll, which may answer without any request while no push said otherwise.
   */
  readConfiguration?(options?: {
    trustWebhooks?: boolean;
  }): Promise<{ rollouts: RepoFile[]; settings: RepoFile | undefined }>;
  /** The file on the default branch, or at `ref` (a PR head) where the store can read other refs. */
  readFile(path: string, ref?: string): Promise<RepoFile | undefined>;
  /**
   * A commit of several files is likely next (a rollout with sync files): where a store needs the
   * branch head for it, it may read it now, in the wave of the reads that come with this call.
   */
  readHeadAhead?(): void;
  /** Writes directly to the default branch (local: the work tree, optionally committed). */
  commit(change: Change): Promise<AppliedChange>;
  /** Dispatches a workflow; a store that cannot (a plain local checkout) says so instead. */
  dispatchWorkflow(dispatch: WorkflowDispatch, options?: { urgent?: boolean }): Promise<DispatchOutcome>;
  history(path: string): Promise<HistoryEntry[]>;
  /** Hosts with pull requests (GitHub): advance proposes instead of committing. */
  readonly pulls?: PullRequestHost | undefined;
  /** Hosts with accounts (GitHub): who may do what is checked against these. */
  readonly collaborators?: Collaborators | undefined;
  /** Web address of a file or commit on the host, for links in messages; undefined where there is none. */
  webUrl?(kind: "blob" | "commit", target: string): string;
  /**
   * When the rollout's current percentage reached the default branch (the merge of its bump PR, or the
   * last commit to the file): the stage start when the merged change carried no time.
   */
  stageStartedAt?(path: string, percent: number, version?: string): Promise<Date | undefined>;
  /**
   * Runs of a workflow started by `workflow_dispatch` on a commit (the transition's own commit, the
   * branch head when it dispatched): how a half-done transition tells whether its dispatch reached
   * GitHub before its process died.
   */
  dispatchedRuns?(workflow: string, commit: string): Promise<number>;
  /**
   * Runs of a workflow started by `workflow_dispatch` since a time (ISO, the host's clock), any head,
   * newest first (up to 100): how the reconcile tells which committed transitions were dispatched.
   */
  dispatchRunsSince?(workflow: string, since: string): Promise<WorkflowRun[]>;
}

export interface Notifier {
  /** Posts (or updates in place) the status message of one rollout. */
  post(message: StatusMessage): Promise<void>;
  /** Posts a repository's weekly report to its channel; a notifier without channels has none. */
  postReport?(report: WeeklyReport): Promise<void>;
}

export interface MetricsSource {
  readonly name: string;
  query(request: MetricRequest, at: Date): Promise<MetricResult>;
  /** The series over a range (the status page's charts); failures are reasons, like `query`'s. */
  queryRange(request: RangeRequest, range: TimeRange): Promise<RangeResult>;
}

/**
 * Sign-in through the host's OAuth web flow (GitHub's, with the App's own client id and secret): who
 * the person in the browser is. The user-to-server token is used once to ask, and never kept.
 */
export interface UserSignIn {
  /** Where to send the browser to sign in; `state` comes back with the callback. */
  authorizeUrl(state: string, redirectUri: string): string;
  /** Exchanges the callback's code for the signed-in user's login. */
  exchange(code: string, redirectUri: string): Promise<{ login: string }>;
}

/** A lease on a key; released on completion, expiring after its TTL if the holder dies. */
export interface Lock {
  withLease<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T | undefined>;
}

/** The subset of pino's API the commands use; a child logger carries a command/job id. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  child(bindings: object): Logger;
}

/** Every repository the bot serves: one local checkout, or each repo of each GitHub App installation. */
export interface RepoRegistry {
  repos(): Promise<RepoStore[]>;
  /** By `owner/name` (case-insensitive); undefined when the bot does not serve it. */
  find(name: string): Promise<RepoStore | undefined>;
  /** The repositories that hold rollout `id`, from an index where the registry keeps one. */
  locate?(id: string): Promise<RepoStore[]>;
}

/** Remembers keys for a while: the same alert or delivery acts once across retries and replicas. */
export interface Dedupe {
  /** True the first time a key is claimed within its TTL. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Gives a claim back when the work it guarded failed, so a re-send can try again. */
  release(key: string): Promise<void>;
  /** Keeps a claim for `ttlMs` from now (a short in-flight claim becomes a long "done" one). */
  keep(key: string, ttlMs: number): Promise<void>;
}

/**
 * A transition between its commit and its workflow dispatches. Recorded before the commit, so a
 * process killed in between leaves a trace the next evaluation (on any replica) finishes or reports.
 */
export interface Intent {
  id: string;
  repo: string;
  rollout: string;
  path: string;
  action: string;
  from: number;
  to: number;
  /** The rollout file's version the commit was computed from. */
  baseVersion?: string | undefined;
  dispatches: WorkflowDispatch[];
  /** `committing`: the commit may or may not have landed; `committed`: it has, nothing dispatched;
   * `dispatching`: a process took the dispatch and may have died during it. */
  stage: "committing" | "committed" | "dispatching";
  commit?: string | undefined;
  /** When the intent last changed stage (ISO). */
  at: string;
  /** Failed dispatch attempts so far. */
  attempts: number;
}

/** Intents by repository and rollout (one transition per rollout at a time): memory, or Redis across replicas. */
export interface IntentJournal {
  /** Records (replacing any earlier one for the rollout). */
  record(intent: Intent): Promise<void>;
  /**
   * Moves the rollout's intent to `next` (merging `changes`) only if it is still intent `id` at one of
   * `from`: an atomic compare-and-set, so exactly one process wins a dispatch. False otherwise.
   */
  advance(
    repo: string,
    rollout: string,
    id: string,
    from: Intent["stage"][],
    next: Intent["stage"],
    changes?: Partial<Pick<Intent, "commit" | "attempts" | "at">>,
  ): Promise<boolean>;
  /** Removes the rollout's intent if it is still intent `id`. */
  clear(repo: string, rollout: string, id: string): Promise<void>;
  list(repo: string): Promise<Intent[]>;
}

/**
 * Alerts now firing, per repository and rollout, so every evaluation (status, tick, gate) sees them —
 * on every replica. Entries expire unless re-sent: a lost "resolved" never leaves a rollout red for ever.
 */
export interface AlertBook {
  record(repo: string, alert: InboxAlert & { rollout: string }): Promise<void>;
  /** Firing alerts per rollout id of one repository. */
  firing(repo: string): Promise<ReadonlyMap<string, readonly Alert[]>>;
}

export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** Where each stage's Slack message lives, to update it in place: memory, or Redis across replicas. */
export interface SlackMessageStore {
  get(key: string): Promise<SlackMessageRef | undefined>;
  set(key: string, value: SlackMessageRef): Promise<void>;
}

/**
 * The health last announced per rollout (a signature such as `red|firing:rollback.triggers[0]`), so a
 * change is posted at once — and once, by whichever replica or command sees it first.
 */
export interface HealthLedger {
  /** Records `signature` for `key` and returns the one it replaces, atomically; undefined when none. */
  swap(key: string, signature: string): Promise<string | undefined>;
}

/**
 * Everything replicas must agree on, as one bundle: Redis implementations shared by every replica
 * (`REDIS_URL`), or the in-memory ones of a single process. The commands are the same code.
 */
export interface Coordination {
  kind: "redis" | "memory";
  lock: Lock;
  dedupe: Dedupe;
  journal: IntentJournal;
  alerts: AlertBook;
  slackStore: SlackMessageStore;
  /** What was last sent to write-only flag services. */
  flagLedger: FlagLedger;
  /** The health last announced per rollout. */
  health: HealthLedger;
  /** node-cron's per-slot election; undefined in a single process (every tick runs). */
  runCoordinator?: RunCoordinator;
  close(): Promise<void>;
}

/** Slack user groups, for authorization by `slack_groups`. */
export interface SlackDirectory {
  /** Of the user group ids given, those the user belongs to. */
  groupsOf(user: string, groups: readonly string[]): Promise<string[]>;
}

/** One flag in a flag service, as a rollout file names it. */
export interface FlagRef {
  flag: string;
  environment?: string | undefined;
  project?: string | undefined;
}

/** Why a flag write is made: carried into commit-like comments and HTTP body templates. */
export interface FlagWriteContext {
  repo: string;
  rollout: string;
  event: "advance" | "rollback";
  percent: number;
}

/**
 * A flag service the operator configured (Unleash, LaunchDarkly, Flagsmith, Vercel Edge Config, a
 * generic HTTP endpoint). Errors are `FlagServiceError`s whose text never holds a secret or the
 * vendor's response body.
 */
export interface FlagService {
  /** The operator's target name. */
  readonly name: string;
  readonly type: string;
  /**
   * What the service holds now: a percentage (kind `percent`) or a value; undefined when the flag
   * holds nothing yet. Absent on write-only services (generic HTTP).
   */
  read?(ref: FlagRef, kind: "percent" | "value"): Promise<number | boolean | string | undefined>;
  write(
    ref: FlagRef,
    kind: "percent" | "value",
    value: number | boolean | string,
    context: FlagWriteContext,
  ): Promise<void>;
}

/** The operator's flag services as one repository may see them (owner restrictions applied). */
export interface FlagServiceRegistry {
  /** The service, or why this repository cannot use that name. */
  forRepo(repo: string, target: string): FlagService | { error: string };
}

/** Remembers what was last written to services that cannot be read back (generic HTTP). */
export interface FlagLedger {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}
