import { runCommand } from "../../commands/run-command.ts";
import { parseCommand } from "../../core/commands/command-grammar.ts";
import type { RepoStore } from "../../ports.ts";
import { describeFailure } from "../describe-failure.ts";
import { renderCommentError, renderCommentReply } from "./comment-reply.ts";
import type { GitHubSurfaceDeps } from "./github-deps.ts";

/**
 * `/rollout …` in an issue or PR comment: translated into the one command path (the commenter is the
 * principal, the repository the scope) and its outcome into a reply. The bot reacts 👀, replies, then
 * reacts 🚀 or 😕.
 */

/** The command line of a comment: its first line starting with /rollout; undefined when none. */
export function commandLine(body: string): string | undefined {
  return body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => /^\/rollout(\s|$)/i.test(line));
}

export interface IssueComment {
  id: number;
  body: string;
  login: string;
  isBot: boolean;
  issueNumber: number;
}

export async function onComment(
  deps: GitHubSurfaceDeps,
  store: RepoStore,
  comment: IssueComment,
): Promise<"ignored" | "done" | "refused" | "failed"> {
  const pulls = store.pulls;
  const line = comment.isBot ? undefined : commandLine(comment.body);
  if (line === undefined || !pulls) return "ignored";
  const shown = line.slice(0, 100).replace(/`/g, "'");
  const react = (content: "eyes" | "rocket" | "confused") =>
    pulls.react(comment.id, content).catch(() => undefined);
  const reply = (body: string) => pulls.comment(comment.issueNumber, body);
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
  const { services } = deps;
  try {
    const outcome = await runCommand(services, {
      command: parsed.command,
      principal: { kind: "github", login: comment.login },
      scope: store,
    });
    await reply(renderCommentReply(shown, outcome));
    const refused = outcome.kind === "refused" || outcome.kind === "denied";
    await react(refused ? "confused" : "rocket");
    return refused ? "refused" : "done";
  } catch (error) {
    const failure = describeFailure(error, services.logger.child({ repo: store.name, actor: comment.login }));
    await reply(renderCommentError(shown, failure.message, failure.details));
    await react("confused");
    return "failed";
  }
}
