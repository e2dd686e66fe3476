import type { GitObjects } from "./git-objects.ts";

/** The records the fake keeps per repository, in GitHub's vocabulary but camelCased. */

/** GitHub's repository roles; the permission API reports maintain as write and triage as read. */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface PullRequest {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  draft: boolean;
  user: string;
  /** `repo`: the fork the head branch lives in (`owner/name`); absent for a branch of this repository. */
  head: { ref: string; sha: string; repo?: string };
  base: { ref: string };
  labels: string[];
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  maintainerCanModify: boolean;
  /** Forces GitHub's `mergeable` flag for a test; otherwise it is computed by a 3-way merge. */
  mergeableOverride?: boolean;
}

export interface Review {
  id: number;
  pullNumber: number;
  user: string;
  state: ReviewState;
  body: string;
  submittedAt: string;
  commitId: string;
}

export interface Reaction {
  id: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface IssueComment {
  id: number;
  issueNumber: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  reactions: Reaction[];
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
  start_column?: number;
  end_column?: number;
}

export interface CheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  app: string;
  output: { title: string | null; summary: string | null; text: string | null; annotations: Annotation[] };
}

export interface WorkflowDispatch {
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  actor: string;
  at: string;
  /** Each dispatch starts one run (never executed): its id, the workflow file and the commit it runs on. */
  runId?: number;
  path?: string;
  headSha?: string;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  pushedAt: string;
  objects: GitObjects;
  /** `heads/main`, `tags/v1` → commit sha, as the git refs API names them (without `refs/`). */
  refs: Map<string, string>;
  protectedBranches: Set<string>;
  /** Per protected branch, the status checks it requires (branch protection's required_status_checks). */
  requiredChecks: Map<string, string[]>;
  collaborators: Map<string, Permission>;
  pulls: Map<number, PullRequest>;
  reviews: Review[];
  comments: IssueComment[];
  checkRuns: CheckRun[];
  dispatches: WorkflowDispatch[];
  /** Issues and pull requests share one number sequence, as on GitHub. */
  nextNumber: number;
}
