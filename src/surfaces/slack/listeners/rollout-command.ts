import type { App, RespondArguments, SlashCommand } from "@slack/bolt";
import { renderCommand } from "../../../core/commands/command.ts";
import { parseCommand } from "../../../core/commands/command-grammar.ts";
import { helpText } from "../../../core/commands/command-help.ts";
import { mrkdwnText, renderHelpBlocks } from "../../../core/messages/slack-blocks.ts";
import { unescapeSlackText } from "../../../core/messages/slack-text.ts";
import { type Respond, respondSafely } from "../respond.ts";
import { runSlackCommand } from "../run-slack-command.ts";
import type { SlackDeps } from "../slack-deps.ts";
import { ephemeral, errorReply } from "../slack-reply.ts";

/**
 * `/rollout …`: parsed and acknowledged before any I/O (Slack allows 3 s). Help and bad input are
 * answered in the ack itself; anything else gets "working…" and its answer through response_url.
 */

export interface RolloutCommandArgs {
  command: Pick<SlashCommand, "text" | "user_id" | "user_name" | "channel_id" | "team_id">;
  ack: (response?: RespondArguments) => Promise<void>;
  respond: Respond;
}

export function rolloutCommand(deps: SlackDeps) {
  return async ({ command, ack, respond }: RolloutCommandArgs): Promise<void> => {
    const parsed = parseCommand(unescapeSlackText(command.text));
    if (!parsed.ok) {
      const { message, usage } = parsed.error;
      await ack(errorReply(usage === undefined ? message : `${message}\nusage: /rollout ${usage}`));
      return;
    }
    if (parsed.command.verb === "help") {
      await ack(ephemeral(renderHelpBlocks(helpText(parsed.command.topic))));
      return;
    }
    const shown = mrkdwnText(`/rollout ${renderCommand(parsed.command)}`, 200);
    await ack({ response_type: "ephemeral", text: `⏳ working on \`${shown}\`…` });
    const user = { id: command.user_id, team: command.team_id, name: command.user_name };
    const log = deps.services.logger.child({ surface: "slack", user: user.id, channel: command.channel_id });
    await deps.work.run(async () => {
      const reply = await runSlackCommand(deps, user, parsed.command);
      await respondSafely(respond, { ...reply, replace_original: false }, log);
    });
  };
}

export function register(app: App, deps: SlackDeps): void {
  app.command("/rollout", rolloutCommand(deps));
}
