import type { Octokit } from "@octokit/rest";
import type { Probot } from "probot";
import { parseBranch } from "../../core/messages/bump-pr.ts";
import { runConfigCheck } from "./config-check.ts";
import { runGateCheck } from "./gate-check.ts";
import type { GitHubAppDeps } from "./github-deps.ts";
import { onComment } from "./on-comment.ts";
import { onBumpMerged } from "./on-merge.ts";
import { onPush } from "./on-push.ts";

/** The Probot app: each handler is a few lines that hand over to one use-case. */
export function githubApp(deps: GitHubAppDeps) {
  return (app: Probot): void => {
    // Probot's Octokit carries the rest methods under .rest, like @octokit/rest's.
    const kit = (octokit: unknown) => octokit as Octokit;

    app.on("issue_comment.created", async (context) => {
      const { comment, issue, repository } = context.payload;
      await onComment(
        deps,
        kit(context.octokit),
        { owner: repository.owner.login, repo: repository.name },
        {
          id: comment.id,
          body: comment.body,
          login: comment.user?.login ?? "",
          isBot: comment.user?.type === "Bot" || context.isBot,
          issueNumber: issue.number,
        },
      );
    });

    app.on(
      ["pull_request.opened", "pull_request.reopened", "pull_request.synchronize", "pull_request.edited"],
      async (context) => {
        const { pull_request: pr, repository } = context.payload;
        const repo = { owner: repository.owner.login, repo: repository.name };
        const pull = {
          number: pr.number,
          headSha: pr.head.sha,
          headRef: pr.head.ref,
          author: pr.user?.login ?? "",
          body: pr.body,
        };
        await runConfigCheck(kit(context.octokit), repo, pull);
        if (parseBranch(pr.head.ref)) await runGateCheck(deps, kit(context.octokit), repo, pull);
      },
    );

    app.on(["pull_request_review.submitted", "pull_request_review.dismissed"], async (context) => {
      const { pull_request: pr, repository } = context.payload;
      if (!parseBranch(pr.head.ref)) return;
      const repo = { owner: repository.owner.login, repo: repository.name };
      await runGateCheck(deps, kit(context.octokit), repo, {
        number: pr.number,
        headSha: pr.head.sha,
        headRef: pr.head.ref,
        author: pr.user?.login ?? "",
        body: pr.body,
      });
    });

    app.on("pull_request.closed", async (context) => {
      const { pull_request: pr, repository } = context.payload;
      if (!pr.merged || !parseBranch(pr.head.ref)) return;
      await onBumpMerged(
        deps,
        kit(context.octokit),
        { owner: repository.owner.login, repo: repository.name },
        {
          number: pr.number,
          headRef: pr.head.ref,
          body: pr.body,
          mergedBy: pr.merged_by?.login ?? context.payload.sender.login,
        },
      );
    });

    app.on(["installation.created", "installation_repositories.added"], async (context) => {
      const payload = context.payload as {
        installation: { id: number };
        repositories?: { full_name: string }[];
        repositories_added?: { full_name: string }[];
      };
      for (const r of payload.repositories ?? payload.repositories_added ?? []) {
        const [owner = "", name = ""] = r.full_name.split("/");
        deps.onRepoSeen?.(payload.installation.id, owner, name);
      }
    });

    app.on("push", async (context) => {
      const { repository, installation, commits, head_commit: head } = context.payload;
      if (!repository.owner) return;
      const paths = commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? [])]);
      if (!paths.some((p) => p.startsWith(".github/rollouts/"))) return;
      if (installation) deps.onRepoSeen?.(installation.id, repository.owner.login, repository.name);
      await onPush(
        deps,
        kit(context.octokit),
        { owner: repository.owner.login, repo: repository.name },
        {
          ref: context.payload.ref,
          defaultBranch: repository.default_branch,
          before: context.payload.before,
          after: context.payload.after,
          headMessage: head?.message ?? "",
          pusher: context.payload.pusher.name ?? context.payload.sender?.login ?? "someone",
          paths,
        },
      );
    });
  };
}
