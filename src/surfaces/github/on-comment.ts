import type { Octokit } from "@octokit/rest";
import { githubIdentity } from "../../adapters/github/github-identity.ts";
import { loadRepo } from "../../commands/load-repo.ts";
import { runCommand } from "../../commands/run-command.ts";
import { authorize, type Permission } from "../../core/commands/authorize.ts";
import type { Command } from "../../core/commands/command.ts";
import { parseCommand } from "../../core/commands/command-grammar.ts";
import { isRolloutError } from "../../core/errors.ts";
import { renderCommentError, renderCommentReply } from "./comment-reply.ts";
import { commandContext, type GitHubAppDeps, repoStore } from "./github-deps.ts";

/**
 * `/rollout …` in an issue or PR comment: the same grammar and command path as Slack and the CLI.
 * The bot reacts 👀, checks who asks, runs the command, replies, then reacts 🚀 or 😕.
 */

const PERMISSION: Partial<Record<Command["verb"], Permission>> = {
  advance: "advance",
  rollback: "rollback",
  pause: "pause",
  resume: "resume",
  "rollback-all": "rollback_all",
  tick: "advance",
};

/** The command line of a comment: its first line starting with /rollout; undefined when none. */
export function commandLine(body: string): string | undefined {
  return body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => /^\/rollout(\s|$)/i.test(line));
}

export async function onComment(
  deps: GitHubAppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
  comment: {
    id: number;
    body: string;
    login: string;
    isBot: boolean;
    issueNumber: number;
    defaultBranch?: string;
  },
): Promise<"ignored" | "done" | "refused" | "failed"> {
  const line = comment.isBot ? undefined : commandLine(comment.body);
  if (line === undefined) return "ignored";
  const shown = line.slice(0, 100).replace(/`/g, "'");
  const react = (content: "eyes" | "rocket" | "confused") =>
    octokit.rest.reactions
      .createForIssueComment({ ...repo, comment_id: comment.id, content })
      .catch(() => undefined);
  const reply = (body: string) =>
    octokit.rest.issues.createComment({ ...repo, issue_number: comment.issueNumber, body });
  const parsed = parseCommand(line);
  // GitHub paces a bot's writes ~1 s apart: a rollback's commit and dispatch must not queue behind
  // the 👀 acknowledgment, so for rollbacks the reply itself is the acknowledgment.
  const urgent = parsed.ok && (parsed.command.verb === "rollback" || parsed.command.verb === "rollback-all");
  if (!urgent) await react("eyes");
  if (!parsed.ok) {
    await reply(renderCommentError(shown, parsed.error.message));
    await react("confused");
    return "refused";
  }
  const store = repoStore(deps, octokit, repo.owner, repo.repo, comment.defaultBranch);
  const ctx = commandContext(deps, store, comment.login);
  try {
    const permission = PERMISSION[parsed.command.verb];
    if (permission) {
      const { settings } = await loadRepo(store);
      const verdict = authorize(
        settings,
        permission,
        await githubIdentity(octokit, repo, comment.login, settings),
      );
      if (!verdict.ok) {
        await reply(renderCommentError(shown, verdict.reason));
        await react("confused");
        return "refused";
      }
    }
    const outcome = await runCommand(ctx, parsed.command);
    await reply(renderCommentReply(shown, outcome));
    const refused = outcome.kind === "refused";
    await react(refused ? "confused" : "rocket");
    return refused ? "refused" : "done";
  } catch (error) {
    const message = isRolloutError(error) ? error.message : "internal error (logged)";
    const details = isRolloutError(error) ? error.details : [];
    ctx.logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      "comment command failed",
    );
    await reply(renderCommentError(shown, message, details));
    await react("confused");
    return "failed";
  }
}
