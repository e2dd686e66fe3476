import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { errorMessage } from "../../../core/errors.ts";
import { ACTION_IDS, parseActionValue } from "../../../core/messages/slack-actions.ts";
import { type Respond, refuseUnknownButton, respondSafely } from "../respond.ts";
import { rollbackModal } from "../rollback-modal.ts";
import { clickLogger, type SlackDeps } from "../slack-deps.ts";
import { errorReply } from "../slack-reply.ts";

/**
 * The Roll back button: opens the dialog asking for a reason at once (its trigger expires in 3 s).
 * Nothing changes here; the submission authorizes, checks the stage and rolls back.
 */

export interface RollbackButtonArgs {
  action: { action_id: string; value?: string | undefined };
  body: { user: { id: string }; trigger_id: string; response_url?: string };
  ack: () => Promise<void>;
  respond: Respond;
}

export function rollbackButton(deps: SlackDeps) {
  return async ({ action, body, ack, respond }: RollbackButtonArgs): Promise<void> => {
    await ack();
    const log = clickLogger(deps, body.user.id, action.action_id);
    const target = parseActionValue(action.value ?? "");
    await deps.work.run(async () => {
      if (target?.verb !== "rollback") {
        await refuseUnknownButton(respond, log);
        return;
      }
      try {
        await deps.openView(body.trigger_id, rollbackModal(target, body.response_url));
      } catch (error) {
        log.warn({ err: errorMessage(error) }, "rollback dialog not opened");
        const text = `could not open the rollback dialog (Slack did not answer in time). Nothing was changed: type /rollout rollback ${target.rollout} <reason> instead.`;
        await respondSafely(respond, { ...errorReply(text), replace_original: false }, log);
      }
    });
  };
}

export function register(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(
    { type: "block_actions", action_id: ACTION_IDS.rollback },
    rollbackButton(deps),
  );
}
