import type { ModalView } from "@slack/types";
import { z } from "zod";
import { type ActionTarget, BUTTON_TARGET } from "../../core/messages/slack-actions.ts";
import { escapeMrkdwn, truncate } from "../../core/messages/slack-blocks.ts";

/**
 * The dialog the Roll back button opens: it asks for the reason that goes into the commit's audit
 * trailers. What it is about travels in `private_metadata` (rendered and parsed here, strictly): the
 * rollout, the stage the button was drawn for, and where to answer (the click's response_url).
 */

export const ROLLBACK_CALLBACK_ID = "rollout_rollback_modal";
export const REASON_BLOCK_ID = "rollback_reason";
export const REASON_ACTION_ID = "reason";
export const MAX_REASON_LENGTH = 500;
/** Slack's limit on `private_metadata`. */
export const MAX_METADATA_LENGTH = 3000;

export const RollbackMetadata = z.strictObject({
  v: z.literal(1),
  ...BUTTON_TARGET,
  responseUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});
export type RollbackMetadata = z.output<typeof RollbackMetadata>;

export function renderRollbackMetadata(target: ActionTarget, responseUrl: string | undefined): string {
  const metadata: RollbackMetadata = {
    v: 1,
    repo: target.repo,
    rollout: target.rollout,
    stage: target.stage,
    ...(responseUrl === undefined ? {} : { responseUrl }),
  };
  const text = JSON.stringify(metadata);
  if (text.length > MAX_METADATA_LENGTH) throw new RangeError("rollback dialog metadata too long");
  return text;
}

export function parseRollbackMetadata(text: string): RollbackMetadata | undefined {
  if (text.length > MAX_METADATA_LENGTH) return undefined;
  try {
    const parsed = RollbackMetadata.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const plain = (text: string, max: number) => ({ type: "plain_text" as const, text: truncate(text, max) });

export function rollbackModal(target: ActionTarget, responseUrl: string | undefined): ModalView {
  return {
    type: "modal",
    callback_id: ROLLBACK_CALLBACK_ID,
    private_metadata: renderRollbackMetadata(target, responseUrl),
    title: plain("Roll back", 24),
    submit: plain("Roll back", 24),
    close: plain("Cancel", 24),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `Roll back *${escapeMrkdwn(target.rollout)}* (now ${target.stage}%) in ${escapeMrkdwn(target.repo)}: this commits the lower percentage and runs its rollback workflow.`,
        },
      },
      {
        type: "input",
        block_id: REASON_BLOCK_ID,
        label: plain("Reason (recorded in the commit)", 2000),
        element: {
          type: "plain_text_input",
          action_id: REASON_ACTION_ID,
          max_length: MAX_REASON_LENGTH,
          placeholder: plain("p99 latency above 2s since 14:02", 150),
        },
      },
    ],
  };
}
