import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { WebClient } from "@slack/web-api";
import type { CommandContext } from "../../commands/context.ts";
import type { Clock, Logger, RepoRegistry, RepoStore } from "../../ports.ts";
import type { RouteHandler } from "../http/app-server.ts";
import { boundedBody } from "../http/bounded-body.ts";
import { boltLogger } from "./bolt-logger.ts";
import { registerListeners } from "./listeners/index.ts";
import { responderFor } from "./respond.ts";
import type { SlackDeps } from "./slack-deps.ts";
import { SlackGroups } from "./slack-groups.ts";
import { WorkTracker } from "./work-tracker.ts";

export const SLACK_EVENTS_PATH = "/slack/events";
/** Slack's commands and interactions are a few KiB; a view submission stays far below this. */
export const SLACK_BODY_LIMIT = 1024 * 1024;
const SLACK_BODY_BUDGET = 16 * 1024 * 1024;

/**
 * The Slack half of the server: Bolt with its HTTPReceiver mounted at /slack/events on the one HTTP
 * server (Bolt checks the signing secret and refuses timestamps over 5 minutes old with 401), or
 * Socket Mode when an app token is given. Nothing here calls Slack at start: Bolt is given an
 * `authorize` that returns the bot token, so no `auth.test` runs (with `token`, Bolt runs it at
 * start or on the first request and caches a failure for good). Slack can be down at boot and the
 * server still serves GitHub and alerts.
 */

export interface SlackSurfaceOptions {
  botToken: string;
  signingSecret?: string | undefined;
  /** `xapp-…`: Socket Mode instead of the HTTP route. */
  appToken?: string | undefined;
  /** Web API base ending in `/api/`. */
  slackApiUrl?: string | undefined;
  registry: RepoRegistry;
  context: (store: RepoStore, actor: string) => CommandContext;
  clock: Clock;
  logger: Logger;
  githubUrl?: string | undefined;
  groupTtlMs?: number;
  /** Per Web API attempt (views.open, usergroups.users.list). */
  timeoutMs?: number;
}

export interface SlackSurface {
  app: App;
  /** The route for `POST /slack/events`; undefined in Socket Mode. */
  route: RouteHandler | undefined;
  groups: SlackGroups;
  /** `chat.postMessage` with the bot token (the weekly report). */
  post(channel: string, message: { text: string; blocks: KnownBlock[] }): Promise<void>;
  /** Socket Mode: connect (retrying in the background). HTTP: nothing to do. */
  start(): void;
  /** Resolves when all work started by listeners has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const SOCKET_RETRY_MS = 30_000;

export function createSlackSurface(options: SlackSurfaceOptions): SlackSurface {
  const logger = options.logger.child({ surface: "slack" });
  const secrets = [options.botToken, options.signingSecret ?? "", options.appToken ?? ""];
  const bolt = boltLogger(logger, secrets);
  const clientOptions = {
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    logger: bolt,
    timeout: options.timeoutMs ?? 2500,
    retryConfig: { retries: 1, factor: 2, minTimeout: 200, maxTimeout: 500 },
  };
  const client = new WebClient(options.botToken, clientOptions);
  const appToken = options.appToken;
  const socketMode = appToken !== undefined;
  const authorize = async () => ({ botToken: options.botToken });
  const receiver =
    appToken !== undefined
      ? undefined
      : new HTTPReceiver({
          signingSecret: options.signingSecret ?? "",
          endpoints: SLACK_EVENTS_PATH,
          bodyLimit: SLACK_BODY_LIMIT,
          logger: bolt,
          logLevel: LogLevel.INFO,
        });
  const app = new App({
    ...(receiver ? { receiver } : { socketMode: true, ...(appToken === undefined ? {} : { appToken }) }),
    authorize,
    clientOptions,
    logger: bolt,
    logLevel: LogLevel.INFO,
    // Commands and buttons only: no conversation state to keep.
    convoStore: false,
  });
  app.error(async (error) => {
    logger.error({ err: error.message }, "slack listener failed");
  });
  const work = new WorkTracker();
  const groups = new SlackGroups({
    list: async (group) => (await client.usergroups.users.list({ usergroup: group })).users ?? [],
    clock: options.clock,
    logger,
    ...(options.groupTtlMs === undefined ? {} : { ttlMs: options.groupTtlMs }),
  });
  const deps: SlackDeps = {
    registry: options.registry,
    context: options.context,
    groups,
    logger,
    work,
    openView: async (triggerId, view) => {
      await client.views.open({ trigger_id: triggerId, view });
    },
    responder: (url) => responderFor(url),
    githubUrl: options.githubUrl,
  };
  registerListeners(app, deps);

  // The body is read (bounded) before Bolt, which finds it as `rawBody` and verifies it.
  const route: RouteHandler | undefined = receiver
    ? boundedBody(
        (req, res) =>
          new Promise<void>((resolve) => {
            res.once("close", () => resolve());
            if (req.method !== "POST") {
              res.writeHead(405, { "content-type": "application/json", allow: "POST" });
              res.end(JSON.stringify({ error: "use POST" }));
              return;
            }
            receiver.requestListener(req, res);
          }),
        { limit: SLACK_BODY_LIMIT, budget: SLACK_BODY_BUDGET },
      )
    : undefined;

  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const connect = () => {
    app.start().then(
      () => logger.info({}, "slack socket mode connected"),
      (error: unknown) => {
        logger.warn(
          { err: error instanceof Error ? error.message : String(error), retryInMs: SOCKET_RETRY_MS },
          "slack socket mode connection failed",
        );
        if (!closed) retry = setTimeout(connect, SOCKET_RETRY_MS).unref();
      },
    );
  };

  return {
    app,
    route,
    groups,
    async post(channel, message) {
      await client.chat.postMessage({ channel, ...message, unfurl_links: false, unfurl_media: false });
    },
    start() {
      if (socketMode) connect();
    },
    idle: () => work.idle(),
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      if (socketMode) await app.stop().catch(() => undefined);
      await work.idle();
    },
  };
}
