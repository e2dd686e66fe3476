import { runCommand } from "../../commands/run-command.ts";
import type { Command } from "../../core/commands/command.ts";
import { helpText } from "../../core/commands/command-help.ts";
import { renderHelpBlocks } from "../../core/messages/slack-blocks.ts";
import { describeFailure } from "../describe-failure.ts";
import type { SlackDeps } from "./slack-deps.ts";
import { ephemeral, errorReply, replyFor, type SlackReply } from "./slack-reply.ts";
import { mentionOf, type SlackUser } from "./slack-user.ts";

/**
 * The Slack side of the one command path: slash commands and buttons both come here. The user is the
 * principal, every repository the bot serves is the scope (the command path keeps to the ones bound
 * to the user's workspace); the outcome becomes the reply. Never throws.
 */

export interface SlackRunOptions {
  /** The percent of the stage the clicked button was drawn for: refused when the rollout has moved. */
  stage?: number;
}

export async function runSlackCommand(
  deps: SlackDeps,
  user: SlackUser,
  command: Command,
  options: SlackRunOptions = {},
): Promise<SlackReply> {
  const log = deps.services.logger.child({ surface: "slack", user: user.id, verb: command.verb });
  if (command.verb === "help") return ephemeral(renderHelpBlocks(helpText(command.topic)));
  try {
    const outcome = await runCommand(deps.services, {
      command,
      principal: { kind: "slack", user: user.id, team: user.team, name: user.name },
      scope: deps.registry,
      ...(options.stage === undefined ? {} : { drawnAt: options.stage }),
    });
    log.info({ outcome: outcome.kind }, "slack command done");
    return replyFor(outcome, mentionOf(user), deps.links);
  } catch (error) {
    const failure = describeFailure(error, log);
    return failure.code === "INTERNAL"
      ? errorReply("internal error (logged): check /rollout status before trying again.")
      : errorReply(failure.message, failure.details);
  }
}
