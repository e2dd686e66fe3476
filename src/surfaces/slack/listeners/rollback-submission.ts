import type { App, ViewResponseAction, ViewSubmitAction } from "@slack/bolt";
import { normalizeReason } from "../../../core/commands/command.ts";
import { respondSafely } from "../respond.ts";
import {
  parseRollbackMetadata,
  REASON_ACTION_ID,
  REASON_BLOCK_ID,
  ROLLBACK_CALLBACK_ID,
} from "../rollback-modal.ts";
import { runSlackCommand } from "../run-slack-command.ts";
import type { SlackDeps } from "../slack-deps.ts";

/**
 * The rollback dialog submitted: closed at once (or kept open with an error on the field), then the
 * rollback runs through the same path as `/rollout rollback <id> <reason>`, refused if the rollout
 * has left the stage the button was drawn for. The answer goes to the click's response_url.
 */

export interface RollbackSubmissionArgs {
  view: {
    private_metadata: string;
    state: { values: Record<string, Record<string, { value?: string | null | undefined }>> };
  };
  body: { user: { id: string; name?: string; team_id?: string }; team?: { id: string } | null };
  ack: (response?: ViewResponseAction) => Promise<void>;
}

export function rollbackSubmission(deps: SlackDeps) {
  return async ({ view, body, ack }: RollbackSubmissionArgs): Promise<void> => {
    const metadata = parseRollbackMetadata(view.private_metadata);
    const typed = view.state.values[REASON_BLOCK_ID]?.[REASON_ACTION_ID]?.value ?? "";
    const reason = normalizeReason(typed);
    if (!metadata || reason === undefined) {
      const error = metadata
        ? "A reason is required: it is recorded in the commit."
        : "This dialog is out of date: close it and click Roll back again.";
      await ack({ response_action: "errors", errors: { [REASON_BLOCK_ID]: error } });
      return;
    }
    await ack();
    const log = deps.services.logger.child({
      surface: "slack",
      user: body.user.id,
      rollout: metadata.rollout,
    });
    await deps.work.run(async () => {
      const reply = await runSlackCommand(
        deps,
        { id: body.user.id, team: body.team?.id ?? body.user.team_id, name: body.user.name },
        { verb: "rollback", rollout: { id: metadata.rollout, repo: metadata.repo }, reason },
        { stage: metadata.stage },
      );
      if (metadata.responseUrl === undefined) {
        log.warn({ reply: reply.text }, "rollback dialog had no response_url; reply not delivered");
        return;
      }
      await respondSafely(deps.responder(metadata.responseUrl), { ...reply, replace_original: false }, log);
    });
  };
}

export function register(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(
    { type: "view_submission", callback_id: ROLLBACK_CALLBACK_ID },
    rollbackSubmission(deps),
  );
}
