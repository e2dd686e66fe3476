import type { Probot } from "probot";
import { isRolloutPath } from "../../core/config/rollout-file.ts";
import { pullRequestOf } from "../../core/messages/pull-request.ts";
import type { GitHubSurfaceDeps } from "./github-deps.ts";
import { onComment } from "./on-comment.ts";
import { onBumpMerged, onPullChanged } from "./on-pull.ts";
import { onPush } from "./on-push.ts";

/** The Probot app: each handler translates its payload and hands over to one use-case. */

interface RepositoryPayload {
  name: string;
  owner: { login: string };
  default_branch?: string;
}

export function githubApp(deps: GitHubSurfaceDeps) {
  const storeOf = (octokit: unknown, repository: RepositoryPayload) =>
    deps.storeFor(octokit, {
      owner: repository.owner.login,
      repo: repository.name,
      defaultBranch: repository.default_branch,
    });
  return (app: Probot): void => {
    app.on("issue_comment.created", async (context) => {
      const { comment, issue, repository } = context.payload;
      await onComment(deps, storeOf(context.octokit, repository), {
        id: comment.id,
        body: comment.body,
        login: comment.user?.login ?? "",
        isBot: comment.user?.type === "Bot" || context.isBot,
        issueNumber: issue.number,
      });
    });

    app.on(
      ["pull_request.opened", "pull_request.reopened", "pull_request.synchronize", "pull_request.edited"],
      async (context) => {
        const { pull_request: pr, repository } = context.payload;
        await onPullChanged(deps, storeOf(context.octokit, repository), pullRequestOf(pr));
      },
    );

    app.on(["pull_request_review.submitted", "pull_request_review.dismissed"], async (context) => {
      const { pull_request: pr, repository } = context.payload;
      await onPullChanged(deps, storeOf(context.octokit, repository), pullRequestOf(pr), { review: true });
    });

    app.on("pull_request.closed", async (context) => {
      const { pull_request: pr, repository } = context.payload;
      if (!pr.merged) return;
      await onBumpMerged(deps, storeOf(context.octokit, repository), {
        ...pullRequestOf(pr),
        mergedBy: pr.merged_by?.login ?? context.payload.sender.login,
        mergeCommit: pr.merge_commit_sha ?? pr.head.sha,
      });
    });

    app.on(["installation.created", "installation_repositories.added"], async (context) => {
      const payload = context.payload as {
        installation: { id: number };
        repositories?: { full_name: string }[];
        repositories_added?: { full_name: string }[];
      };
      for (const r of payload.repositories ?? payload.repositories_added ?? []) {
        const [owner = "", name = ""] = r.full_name.split("/");
        deps.registry.seen(payload.installation.id, owner, name);
      }
    });

    // An uninstalled repository is no longer served: dropped at once, not at the next restart.
    app.on(["installation.deleted", "installation_repositories.removed"], async (context) => {
      const payload = context.payload as {
        repositories?: { full_name: string }[];
        repositories_removed?: { full_name: string }[];
      };
      for (const r of payload.repositories_removed ?? payload.repositories ?? []) {
        const [owner = "", name = ""] = r.full_name.split("/");
        deps.registry.forget(owner, name);
      }
    });

    app.on("push", async (context) => {
      const { repository, installation, commits, head_commit: head } = context.payload;
      if (!repository.owner) return;
      const paths = commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? [])]);
      // A push says exactly what changed: what the bot read of those files is stale from now.
      if (context.payload.ref === `refs/heads/${repository.default_branch}`)
        deps.registry.changed?.(repository.owner.login, repository.name, [
          ...paths,
          ...commits.flatMap((c) => c.removed ?? []),
          // GitHub lists at most 2,048 commits: past that, anything may have changed.
          ...(commits.length >= 2048 ? [".github/"] : []),
        ]);
      if (!paths.some(isRolloutPath)) return;
      if (installation)
        deps.registry.seen(
          installation.id,
          repository.owner.login,
          repository.name,
          repository.default_branch,
        );
      await onPush(deps, storeOf(context.octokit, { ...repository, owner: repository.owner }), {
        ref: context.payload.ref,
        defaultBranch: repository.default_branch,
        before: context.payload.before,
        after: context.payload.after,
        headMessage: head?.message ?? "",
        pusher: context.payload.pusher.name ?? context.payload.sender?.login ?? "someone",
        paths,
      });
    });
  };
}
