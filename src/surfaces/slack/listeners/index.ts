import type { App } from "@slack/bolt";
import type { SlackDeps } from "../slack-deps.ts";
import * as actionButton from "./action-button.ts";
import * as rollbackButton from "./rollback-button.ts";
import * as rollbackSubmission from "./rollback-submission.ts";
import * as rolloutCommand from "./rollout-command.ts";

/** Every Slack listener; each file registers its own. */
export function registerListeners(app: App, deps: SlackDeps): void {
  for (const listener of [rolloutCommand, actionButton, rollbackButton, rollbackSubmission]) {
    listener.register(app, deps);
  }
}
