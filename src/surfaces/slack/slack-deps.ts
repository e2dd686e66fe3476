import type { View } from "@slack/types";
import type { Services } from "../../commands/services.ts";
import type { StatusBlocksOptions } from "../../core/messages/slack-blocks.ts";
import type { RepoRegistry } from "../../ports.ts";
import type { Respond } from "./respond.ts";
import type { WorkTracker } from "./work-tracker.ts";

/** What the Slack listeners need, injected: tests hand in fakes, src/main/slack.ts wires Bolt's client. */
export interface SlackDeps {
  services: Services;
  /** Every repository `<rollout>` may name (the command path keeps to those bound to the workspace). */
  registry: RepoRegistry;
  work: WorkTracker;
  /** `views.open` with the bot token; rejects when Slack refuses or cannot be reached. */
  openView: (triggerId: string, view: View) => Promise<void>;
  /** A `respond` for a response_url carried in a modal's metadata. */
  responder: (url: string) => Respond;
  /** How links in status messages are built (the GitHub host). */
  links: StatusBlocksOptions;
}

/** The logger of one click: who, which button. */
export function clickLogger(deps: SlackDeps, user: string, action: string) {
  return deps.services.logger.child({ surface: "slack", user, action });
}
