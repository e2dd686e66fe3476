import type { View } from "@slack/types";
import type { CommandContext } from "../../commands/context.ts";
import type { Logger, RepoRegistry, RepoStore } from "../../ports.ts";
import type { Respond } from "./respond.ts";
import type { SlackGroups } from "./slack-groups.ts";
import type { WorkTracker } from "./work-tracker.ts";

/** What the Slack listeners need, injected: tests hand in fakes, the surface wires Bolt's client. */
export interface SlackDeps {
  /** Every repository `<rollout>` may name. */
  registry: RepoRegistry;
  /** The same command context the scheduler and the alert inbox use. */
  context: (store: RepoStore, actor: string) => CommandContext;
  groups: SlackGroups;
  logger: Logger;
  work: WorkTracker;
  /** `views.open` with the bot token; rejects when Slack refuses or cannot be reached. */
  openView: (triggerId: string, view: View) => Promise<void>;
  /** A `respond` for a response_url carried in a modal's metadata. */
  responder: (url: string) => Respond;
  /** Web address of GitHub for links in status messages. */
  githubUrl?: string | undefined;
}
