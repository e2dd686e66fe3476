import { z } from "zod";
import { cleanText } from "../commands/command.ts";
import { ROLLOUT_ID_PATTERN } from "../config/schema.ts";

/**
 * What a Slack button carries: which verb, on which rollout, rendered for which stage. Values come
 * back from Slack in interaction payloads, where anyone able to post to our endpoint could forge
 * them: they are parsed strictly and only ever name a command, never authorise one.
 */

export const ACTION_VERBS = ["advance", "rollback", "pause", "resume"] as const;
export type ActionVerb = (typeof ACTION_VERBS)[number];

/** The `action_id` of each button; one Bolt listener per id. */
export const ACTION_IDS: Readonly<Record<ActionVerb, string>> = {
  advance: "rollout_advance",
  rollback: "rollout_rollback",
  pause: "rollout_pause",
  resume: "rollout_resume",
};

/** Slack's limit on a button's `value`. */
export const MAX_ACTION_VALUE_LENGTH = 2000;

const VERSION = 1;

/** What a button (and the dialog it opens) is about: one rollout, at the stage it was drawn for. */
export const BUTTON_TARGET = {
  // `owner/name` on GitHub, or a path for a local checkout: printable and bounded either way.
  repo: z
    .string()
    .min(1)
    .max(500)
    .refine((repo) => cleanText(repo) === repo, "control characters"),
  rollout: z.string().regex(ROLLOUT_ID_PATTERN),
  /**
   * The stage the button was rendered for, identified by its percent (not its 1-based number, which
   * shifts when stages are edited): a click is refused once the rollout has moved to another stage.
   */
  stage: z.number().min(0).max(100),
};

export const ActionValue = z.strictObject({
  v: z.literal(VERSION),
  verb: z.enum(ACTION_VERBS),
  ...BUTTON_TARGET,
});

export interface ActionTarget {
  verb: ActionVerb;
  repo: string;
  rollout: string;
  /** Percent of the stage the button was rendered for. */
  stage: number;
}

export function renderActionValue(target: ActionTarget): string {
  const value = JSON.stringify({
    v: VERSION,
    verb: target.verb,
    repo: target.repo,
    rollout: target.rollout,
    stage: target.stage,
  });
  if (value.length > MAX_ACTION_VALUE_LENGTH) {
    throw new RangeError(
      `button value is ${value.length} characters; Slack allows ${MAX_ACTION_VALUE_LENGTH}`,
    );
  }
  return value;
}

/** The target a button names, or undefined for anything malformed, oversized or of another version. */
export function parseActionValue(text: string): ActionTarget | undefined {
  if (text.length > MAX_ACTION_VALUE_LENGTH) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ActionValue.safeParse(json);
  if (!parsed.success) return undefined;
  const { verb, repo, rollout, stage } = parsed.data;
  return { verb, repo, rollout, stage };
}

/** The verb of one of our `action_id`s; undefined for any other id. */
export function verbOfActionId(actionId: string): ActionVerb | undefined {
  return ACTION_VERBS.find((verb) => ACTION_IDS[verb] === actionId);
}
