import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Command } from "../../../core/commands/command.ts";
import { ACTION_IDS, parseActionValue, verbOfActionId } from "../../../core/messages/slack-actions.ts";
import { type Respond, refuseUnknownButton, respondSafely } from "../respond.ts";
import { runSlackCommand } from "../run-slack-command.ts";
import { clickLogger, type SlackDeps } from "../slack-deps.ts";

/**
 * The Advance, Pause and Resume buttons of a status message: the same command path and the same
 * authorization as `/rollout advance|pause|resume`, refused when the rollout has left the stage
 * the button was drawn for.
 */

export const BUTTON_ACTION_IDS = [ACTION_IDS.advance, ACTION_IDS.pause, ACTION_IDS.resume];

export interface ActionButtonArgs {
  action: { action_id: string; value?: string | undefined };
  body: {
    user: { id: string; username?: string; name?: string; team_id?: string };
    team?: { id: string } | null;
  };
  ack: () => Promise<void>;
  respond: Respond;
}

export function actionButton(deps: SlackDeps) {
  return async ({ action, body, ack, respond }: ActionButtonArgs): Promise<void> => {
    await ack();
    const log = clickLogger(deps, body.user.id, action.action_id);
    const target = parseActionValue(action.value ?? "");
    const verb = verbOfActionId(action.action_id);
    await deps.work.run(async () => {
      if (!target || target.verb !== verb || (verb !== "advance" && verb !== "pause" && verb !== "resume")) {
        await refuseUnknownButton(respond, log);
        return;
      }
      const command: Command = { verb, rollout: { id: target.rollout, repo: target.repo } };
      const user = {
        id: body.user.id,
        team: body.team?.id ?? body.user.team_id,
        name: body.user.username ?? body.user.name,
      };
      const reply = await runSlackCommand(deps, user, command, { stage: target.stage });
      await respondSafely(respond, { ...reply, replace_original: false }, log);
    });
  };
}

export function register(app: App, deps: SlackDeps): void {
  const handler = actionButton(deps);
  for (const action_id of BUTTON_ACTION_IDS) {
    app.action<BlockAction<ButtonAction>>({ type: "block_actions", action_id }, handler);
  }
}
