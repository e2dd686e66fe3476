import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { SlackGroups } from "../adapters/slack/slack-groups.ts";
import { slackLogger } from "../adapters/slack/slack-logger.ts";
import type { Services } from "../commands/services.ts";
import { errorMessage } from "../core/errors.ts";
import type { Clock, Logger, RepoRegistry } from "../ports.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { boundedBody } from "../surfaces/http/bounded-body.ts";
import { registerListeners } from "../surfaces/slack/listeners/index.ts";
import { replayGuard } from "../surfaces/slack/replay-guard.ts";
import { responderFor } from "../surfaces/slack/respond.ts";
import type { SlackDeps } from "../surfaces/slack/slack-deps.ts";
import { WorkTracker } from "../surfaces/slack/work-tracker.ts";

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
 *
 * Two steps, because the command path's services need Slack's user groups before the listeners
 * exist: `slackDirectory` (the interactive Web API client and the group cache), then
 * `createSlackSurface` (Bolt and the listeners, on the services).
 */

export interface SlackClientOptions {
  botToken: string;
  signingSecret?: string | undefined;
  appToken?: string | undefined;
  /** Web API base ending in `/api/`. */
  slackApiUrl?: string | undefined;
  clock: Clock;
  logger: Logger;
  groupTtlMs?: number;
  /** Per Web API attempt (views.open, usergroups.users.list): a click must be answered within 3 s. */
  timeoutMs?: number;
}

export interface SlackClient {
  client: WebClient;
  groups: SlackGroups;
  options: SlackClientOptions;
}

/** The Web API client for interactive calls (a modal, group members), with short timeouts. */
export function slackDirectory(options: SlackClientOptions): SlackClient {
  const logger = options.logger.child({ surface: "slack" });
  const client = new WebClient(options.botToken, {
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    logger: slackLogger(logger, secretsOf(options)),
    timeout: options.timeoutMs ?? 2500,
    retryConfig: { retries: 1, factor: 2, minTimeout: 200, maxTimeout: 500 },
  });
  const groups = new SlackGroups({
    list: async (group) => (await client.usergroups.users.list({ usergroup: group })).users ?? [],
    clock: options.clock,
    logger,
    ...(options.groupTtlMs === undefined ? {} : { ttlMs: options.groupTtlMs }),
  });
  return { client, groups, options };
}

function secretsOf(options: SlackClientOptions): string[] {
  return [options.botToken, options.signingSecret ?? "", options.appToken ?? ""];
}

export interface SlackSurface {
  app: App;
  /** The route for `POST /slack/events`; undefined in Socket Mode. */
  route: RouteHandler | undefined;
  /** Socket Mode: connect (retrying in the background). HTTP: nothing to do. */
  start(): void;
  /** Resolves when all work started by listeners has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const SOCKET_RETRY_MS = 30_000;

export function createSlackSurface(
  slack: SlackClient,
  services: Services,
  registry: RepoRegistry,
  links: SlackDeps["links"] = {},
): SlackSurface {
  const { options, client } = slack;
  const logger = options.logger.child({ surface: "slack" });
  const bolt = slackLogger(logger, secretsOf(options));
  const clientOptions = {
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    logger: bolt,
    timeout: options.timeoutMs ?? 2500,
    retryConfig: { retries: 1, factor: 2, minTimeout: 200, maxTimeout: 500 },
  };
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
  const deps: SlackDeps = {
    services,
    registry,
    work,
    openView: async (triggerId, view) => {
      await client.views.open({ trigger_id: triggerId, view });
    },
    responder: (url) => responderFor(url),
    links,
  };
  registerListeners(app, deps);

  // The body is read (bounded) before Bolt, which finds it as `rawBody` and verifies it; a signed
  // request acts once (replays and future-dated timestamps refused).
  const bolted: RouteHandler = (req, res) =>
    new Promise<void>((resolve) => {
      res.once("close", () => resolve());
      if (req.method !== "POST") {
        res.writeHead(405, { "content-type": "application/json", allow: "POST" });
        res.end(JSON.stringify({ error: "use POST" }));
        return;
      }
      receiver?.requestListener(req, res);
    });
  const route: RouteHandler | undefined = receiver
    ? boundedBody(
        replayGuard(bolted, {
          signingSecret: options.signingSecret ?? "",
          dedupe: services.coordination.dedupe,
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
          { err: errorMessage(error), retryInMs: SOCKET_RETRY_MS },
          "slack socket mode connection failed",
        );
        if (!closed) retry = setTimeout(connect, SOCKET_RETRY_MS).unref();
      },
    );
  };

  return {
    app,
    route,
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
