/**
 * The small interfaces the commands need from the outside world. The core never imports an adapter;
 * commands receive these, and surfaces wire real (GitHub, Slack, Prometheus, filesystem) or in-memory ones.
 */

import type { StatusMessage } from "./core/messages/status-message.ts";
import type { MetricRequest, MetricResult } from "./core/rollout/metric-request.ts";
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

export type { WorkflowDispatch };

export interface DispatchOutcome {
  dispatched: boolean;
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
}

export interface ProposalResult {
  number: number;
  url: string;
  created: boolean;
  /** False when a person's commit on the branch kept the bot from updating it. */
  branchUpdated: boolean;
  note?: string;
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
  readFile(path: string): Promise<RepoFile | undefined>;
  /** Writes directly to the default branch (local: the work tree, optionally committed). */
  commit(change: Change): Promise<AppliedChange>;
  /** Dispatches a workflow; a store that cannot (a plain local checkout) says so instead. */
  dispatchWorkflow(dispatch: WorkflowDispatch): Promise<DispatchOutcome>;
  history(path: string): Promise<HistoryEntry[]>;
  /** Hosts with pull requests (GitHub): advance proposes instead of committing. */
  propose?(proposal: Proposal): Promise<ProposalResult>;
  /** Closes the open bump PR of a rollout, with a comment saying why. */
  closeProposal?(branch: string, comment: string): Promise<boolean>;
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
}

export interface Notifier {
  /** Posts (or updates in place) the status message of one rollout. */
  post(message: StatusMessage): Promise<void>;
}

export interface MetricsSource {
  readonly name: string;
  query(request: MetricRequest, at: Date): Promise<MetricResult>;
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
