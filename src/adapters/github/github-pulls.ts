import { isOwnCommit } from "../../core/messages/bump-ownership.ts";
import { parseBranch } from "../../core/messages/bump-pr.ts";
import { type PullRequestJson, pullRequestOf } from "../../core/messages/pull-request.ts";
import type {
  CheckRun,
  CommitInfo,
  Proposal,
  ProposalResult,
  PullRequest,
  PullRequestHost,
  Reaction,
  Review,
} from "../../ports.ts";
import { statusOf } from "./github-errors.ts";
import { GitHubRepo } from "./github-repo.ts";
import { lane } from "./write-lanes.ts";

/** Pull requests, reviews, checks, comments and reactions of one repository, through Octokit. */

export class GitHubPulls implements PullRequestHost {
  readonly #repo: GitHubRepo;

  constructor(repo: GitHubRepo) {
    this.#repo = repo;
  }

  get #kit() {
    return this.#repo.octokit.rest;
  }

  get #at() {
    return this.#repo.coordinates;
  }

  botLogin(): Promise<string | undefined> {
    return this.#repo.botLogin();
  }

  async openBumpPulls(): Promise<PullRequest[]> {
    const pulls = await this.#repo.conditional<PullRequestJson[]>(
      `${this.#repo.name}:open-pulls`,
      "open pull requests",
      (headers) => this.#kit.pulls.list({ ...this.#at, state: "open", per_page: 100, headers }),
    );
    return (pulls ?? []).filter((p) => parseBranch(p.head.ref) !== undefined).map(pullRequestOf);
  }

  async get(number: number): Promise<PullRequest | undefined> {
    try {
      return pullRequestOf((await this.#kit.pulls.get({ ...this.#at, pull_number: number })).data);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async files(number: number): Promise<{ path: string; status: string }[]> {
    const files = await this.#repo.octokit.paginate(this.#kit.pulls.listFiles, {
      ...this.#at,
      pull_number: number,
      per_page: 100,
    });
    return files.map((f) => ({ path: f.filename, status: f.status }));
  }

  async commits(number: number): Promise<CommitInfo[]> {
    const data = await this.#repo.octokit.paginate(this.#kit.pulls.listCommits, {
      ...this.#at,
      pull_number: number,
      per_page: 100,
    });
    return data.map((c) => ({
      sha: c.sha,
      authorLogin: c.author?.login,
      committerLogin: c.committer?.login,
      verified: c.commit.verification?.verified ?? false,
      message: c.commit.message,
    }));
  }

  async reviews(number: number): Promise<Review[]> {
    const reviews = await this.#repo.octokit.paginate(this.#kit.pulls.listReviews, {
      ...this.#at,
      pull_number: number,
      per_page: 100,
    });
    return reviews
      .filter((r) => r.user?.login)
      .map((r) => ({
        login: r.user?.login ?? "",
        isBot: r.user?.type === "Bot",
        state: r.state as Review["state"],
      }));
  }

  async latestCheck(headSha: string, name: string) {
    const { data } = await this.#kit.checks.listForRef({
      ...this.#at,
      ref: headSha,
      check_name: name,
      per_page: 1,
    });
    const last = data.check_runs[0];
    return last
      ? {
          conclusion: last.conclusion,
          title: last.output.title ?? "",
          completedAt: last.completed_at ?? undefined,
        }
      : undefined;
  }

  async writeCheck(check: CheckRun): Promise<void> {
    await this.#kit.checks.create({
      ...this.#at,
      name: check.name,
      head_sha: check.headSha,
      status: "completed",
      conclusion: check.conclusion,
      output: {
        title: check.title,
        summary: check.summary.slice(0, 60_000),
        // GitHub takes at most 50 annotations per request.
        annotations: (check.annotations ?? []).slice(0, 50).map((a) => ({
          path: a.path,
          start_line: a.line,
          end_line: a.line,
          annotation_level: "failure" as const,
          message: a.message,
          title: a.title,
        })),
      },
    });
  }

  async merge(number: number, sha: string): Promise<void> {
    // `sha` makes the merge a compare-and-swap too: a push after the evaluation blocks it.
    await this.#kit.pulls.merge({ ...this.#at, pull_number: number, sha, merge_method: "squash" });
  }

  async comment(issueNumber: number, body: string): Promise<void> {
    await this.#kit.issues.createComment({ ...this.#at, issue_number: issueNumber, body });
  }

  async react(commentId: number, reaction: Reaction): Promise<void> {
    await this.#kit.reactions.createForIssueComment({
      ...this.#at,
      comment_id: commentId,
      content: reaction,
    });
  }

  async deleteBranch(branch: string): Promise<void> {
    await this.#kit.git.deleteRef({ ...this.#at, ref: `heads/${branch}` }).catch((error: unknown) => {
      if (statusOf(error) !== 404 && statusOf(error) !== 422) throw error;
    });
  }

  async mergedAs(branch: string, mergeSha: string): Promise<boolean> {
    // Any repository's head (a fork's `rollout/…` too): the merge handler takes every one of them.
    const { data } = await this.#kit.pulls.list({
      ...this.#at,
      state: "closed",
      sort: "updated",
      direction: "desc",
      per_page: 30,
    });
    return data.some((p) => p.merge_commit_sha === mergeSha && p.head.ref === branch);
  }

  async requiredCheck(context: string): Promise<boolean | undefined> {
    try {
      const { data } = await this.#kit.repos.getStatusChecksProtection({
        ...this.#at,
        branch: await this.#repo.defaultBranch(),
      });
      return data.contexts.includes(context) || (data.checks ?? []).some((c) => c.context === context);
    } catch (error) {
      // 404: no required checks on the branch. 403: the App may not read branch protection: unknown.
      if (statusOf(error) === 404) return false;
      return undefined;
    }
  }

  async #openPull(branch: string) {
    const { data } = await this.#kit.pulls.list({
      ...this.#at,
      head: `${this.#repo.owner}:${branch}`,
      state: "open",
    });
    return data[0];
  }

  /**
   * Whether every commit on the branch is the bot's own — made by its account and signed by GitHub,
   * whatever the message says (a person's `--amend` of the bot's commit is theirs) — so that the bot
   * may rewrite it, and whether the branch is behind its base.
   */
  async #branchState(branchSha: string, baseSha: string): Promise<{ ours: boolean; behind: boolean }> {
    const [{ data }, bot] = await Promise.all([
      this.#kit.repos.compareCommitsWithBasehead({ ...this.#at, basehead: `${baseSha}...${branchSha}` }),
      this.botLogin(),
    ]);
    return {
      ours: data.commits.every((c) =>
        isOwnCommit(
          {
            sha: c.sha,
            authorLogin: c.author?.login,
            verified: c.commit.verification?.verified ?? false,
            message: "",
          },
          bot,
        ),
      ),
      behind: data.behind_by > 0,
    };
  }

  /** True when the branch already holds exactly these files: then there is nothing to push. */
  async #holds(ref: string, files: Proposal["files"]): Promise<boolean> {
    for (const file of files) {
      const current = await this.#repo.content(file.path, ref);
      if (!current || Array.isArray(current)) return false;
      if (GitHubRepo.text(current) !== file.text) return false;
    }
    return true;
  }

  async propose(proposal: Proposal): Promise<ProposalResult> {
    const urgent = lane(proposal.urgent);
    const base = await this.#repo.defaultBranch();
    const head = await this.#repo.head(base);
    let branchUpdated = true;
    let note: string | undefined;
    let existing: string | undefined;
    try {
      existing = (await this.#kit.git.getRef({ ...this.#at, ref: `heads/${proposal.branch}` })).data.object
        .sha;
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
      const sha = await this.#repo.commitOn(head, {
        files: proposal.files,
        message: proposal.message,
        urgent: proposal.urgent,
      });
      if (existing) {
        await this.#kit.git.updateRef({
          ...this.#at,
          ref: `heads/${proposal.branch}`,
          sha,
          force: true,
          ...urgent,
        });
      } else {
        await this.#kit.git.createRef({ ...this.#at, ref: `refs/heads/${proposal.branch}`, sha, ...urgent });
      }
    }
    const open = await this.#openPull(proposal.branch);
    let number: number;
    let url: string;
    const changed = !open || open.title !== proposal.title;
    if (open) {
      // Unchanged title and body: no write (the evaluation loop refreshes on every tick).
      if (open.title !== proposal.title || (open.body ?? "") !== proposal.body) {
        await this.#kit.pulls.update({
          ...this.#at,
          pull_number: open.number,
          title: proposal.title,
          body: proposal.body,
          ...urgent,
        });
      }
      ({ number, html_url: url } = open);
    } else {
      const { data } = await this.#kit.pulls.create({
        ...this.#at,
        head: proposal.branch,
        base,
        title: proposal.title,
        body: proposal.body,
        ...urgent,
      });
      ({ number, html_url: url } = data);
      if (proposal.labels.length > 0) {
        await this.#kit.issues.addLabels({
          ...this.#at,
          issue_number: number,
          labels: proposal.labels,
          ...urgent,
        });
      }
    }
    const result: ProposalResult = { number, url, created: !open, changed, branchUpdated };
    if (note) result.note = note;
    return result;
  }

  async close(branch: string, comment: string): Promise<boolean> {
    const open = await this.#openPull(branch);
    if (!open) return false;
    await this.comment(open.number, comment);
    await this.#kit.pulls.update({ ...this.#at, pull_number: open.number, state: "closed" });
    return true;
  }
}
