import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { type Series, SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { SlackNotifier } from "../../src/adapters/slack/slack-notifier.ts";
import { type App, createApp } from "../../src/main/app.ts";
import { localServices } from "../../src/main/coordination.ts";
import {
  createSlackSurface,
  SLACK_EVENTS_PATH,
  type SlackSurface,
  slackDirectory,
} from "../../src/main/slack.ts";
import type { Logger } from "../../src/ports.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.ts";

/**
 * The real server (createApp) with Bolt mounted at /slack/events, over in-memory repositories, the
 * Web API answered by the fake Slack, and a recorder standing in for Slack's response_url endpoint.
 * Requests are signed as Slack signs them.
 */

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
export const CHANNEL = "C0DEPLOYS";
export const LEAD = "U0LEAD01";
export const ONCALL = "U0ONCALL1";
export const STRANGER = "U0STRANGE";
export const ONCALL_GROUP = "S0ONCALL";
export const SETTINGS_PATH = ".github/rollout-bot.yml";
export const ROLLOUT_PATH = ".github/rollouts/checkout.yml";

/** Advance, pause and resume for the lead only; rollback also for the on-call group. */
export const SETTINGS = `permissions:
  advance: { slack_users: [${LEAD}] }
  pause: { slack_users: [${LEAD}] }
  resume: { slack_users: [${LEAD}] }
  rollback:
    slack_users: [${LEAD}]
    slack_groups: [${ONCALL_GROUP}]
`;

export function rolloutFile(percent: number, extra = "", phase = "baking"): string {
  return `metrics:
  queries:
    error_rate: { query: "sum(rate(errors[5m])) / sum(rate(requests[5m]))", unit: fraction }
stages:
  - percent: 10
    bake: 1h
    criteria:
      - { metric: error_rate, below: 2%, for: 5m }
  - percent: 50
    bake: 1h
  - percent: 100
    bake: 1h
rollback:
  triggers:
    - { metric: error_rate, above: 10%, for: 5m }
workflows:
  rollback: rollback.yml
  on_change: deploy.yml
automation:
  auto_advance: false
  auto_rollback: false
${extra}state:
  percent: ${percent}
  phase: ${phase}
  started_at: 2026-11-22T08:00:00Z
`;
}

export interface RecordedResponse {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

/** Slack's response_url endpoint: keeps what each reply posted. */
async function startResponseRecorder() {
  const received: RecordedResponse[] = [];
  let failing = false;
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (failing) {
      res.writeHead(503);
      res.end();
      return;
    }
    received.push({
      path: req.url ?? "",
      body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
      at: Date.now(),
    });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    url: (path: string) => `${base}${path}`,
    fail(on: boolean) {
      failing = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): Record<string, string> {
  const signature = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-request-timestamp": String(timestamp), "x-slack-signature": `v0=${signature}` };
}

/** The workspace the test requests come from, and (unless `slackTeam` says otherwise) the server's one. */
export const TEAM = "T0TEAM";

export interface HarnessOptions {
  repos?: Record<string, Record<string, string>>;
  /** The server's SLACK_TEAM_ID; `null`: none (repositories must name their workspace). */
  slackTeam?: string | null;
  series?: Record<string, Series>;
  start?: Date;
  logger?: Logger;
}

export interface SlackHarness {
  app: App;
  slack: SlackSurface;
  fake: FakeSlack;
  notifier: SlackNotifier;
  stores: Map<string, MemoryRepoStore>;
  store: MemoryRepoStore;
  metrics: SimulatedMetrics;
  clock: { time: Date; now(): Date };
  responses: Awaited<ReturnType<typeof startResponseRecorder>>;
  url: string;
  /** POSTs a form body to /slack/events, signed unless `headers` replace the signature. */
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  command(text: string, user?: string, options?: { responsePath?: string }): Promise<Response>;
  click(
    actionId: string,
    value: string,
    user?: string,
    options?: { responsePath?: string },
  ): Promise<Response>;
  submit(privateMetadata: string, reason: string | undefined, user?: string): Promise<Response>;
  /** Waits for every listener's work after its ack. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

let sequence = 0;

export async function startSlackHarness(options: HarnessOptions = {}): Promise<SlackHarness> {
  const clock = {
    time: options.start ?? new Date("2026-11-22T10:00:00Z"),
    now: () => clock.time,
  };
  const repos = options.repos ?? {
    "acme/shop": { [SETTINGS_PATH]: SETTINGS, [ROLLOUT_PATH]: rolloutFile(10) },
  };
  const stores = new Map(
    Object.entries(repos).map(([name, files]) => [name, new MemoryRepoStore(name, files, () => clock.time)]),
  );
  const registry = new StaticRegistry([...stores.values()]);
  const metrics = new SimulatedMetrics(options.series ?? { error_rate: () => 0.001 });
  const fake = await startFakeSlack({ token: BOT_TOKEN, usergroups: { [ONCALL_GROUP]: [ONCALL] } });
  const responses = await startResponseRecorder();
  const logger = options.logger ?? silentLogger;
  const notifier = new SlackNotifier({
    token: BOT_TOKEN,
    slackApiUrl: fake.url,
    defaultChannel: CHANNEL,
    logger,
    clock,
    retry: { retries: 0 },
    timeoutMs: 1000,
  });
  const client = slackDirectory({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: fake.url,
    clock,
    logger,
    timeoutMs: 1000,
  });
  const services = localServices({
    metrics: () => metrics,
    notifier,
    clock,
    logger,
    slack: client.groups,
    slackTeam: options.slackTeam === undefined ? TEAM : (options.slackTeam ?? undefined),
  });
  const slack = createSlackSurface(client, services, registry);
  const app = createApp({
    services,
    registry,
    alertToken: undefined,
    extraRoutes: new Map([[SLACK_EVENTS_PATH, slack.route!]]),
  });
  const server = app.server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = () => Math.floor(Date.now() / 1000);
  const post = (body: string, headers?: Record<string, string>) =>
    fetch(`${url}${SLACK_EVENTS_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(headers ?? sign(body, now())) },
      body,
    });
  const interact = (payload: object) => post(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const userOf = (id: string) => ({
    id,
    username: id.toLowerCase(),
    name: id.toLowerCase(),
    team_id: "T0TEAM",
  });
  return {
    app,
    slack,
    fake,
    notifier,
    stores,
    store: [...stores.values()][0]!,
    metrics,
    clock,
    responses,
    url,
    post,
    command(text, user = LEAD, opts = {}) {
      const body = new URLSearchParams({
        token: "legacy-verification-token",
        team_id: "T0TEAM",
        team_domain: "acme",
        channel_id: CHANNEL,
        channel_name: "deploys",
        user_id: user,
        user_name: user.toLowerCase(),
        command: "/rollout",
        text,
        api_app_id: "A0ROLLOUT",
        is_enterprise_install: "false",
        response_url: responses.url(opts.responsePath ?? `/commands/T0TEAM/${++sequence}/hook`),
        trigger_id: `${++sequence}.trigger`,
      }).toString();
      return post(body);
    },
    click(actionId, value, user = LEAD, opts = {}) {
      return interact({
        type: "block_actions",
        user: userOf(user),
        api_app_id: "A0ROLLOUT",
        token: "legacy-verification-token",
        container: {
          type: "message",
          message_ts: "1700000000.000100",
          channel_id: CHANNEL,
          is_ephemeral: false,
        },
        trigger_id: `${++sequence}.trigger`,
        team: { id: "T0TEAM", domain: "acme" },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: CHANNEL, name: "deploys" },
        message: { type: "message", ts: "1700000000.000100", text: "status", blocks: [] },
        state: { values: {} },
        response_url: responses.url(opts.responsePath ?? `/actions/T0TEAM/${++sequence}/hook`),
        actions: [
          {
            action_id: actionId,
            block_id: "rollout_actions",
            text: { type: "plain_text", text: "button", emoji: true },
            value,
            type: "button",
            action_ts: "1700000001.000200",
          },
        ],
      });
    },
    submit(privateMetadata, reason, user = LEAD) {
      return interact({
        type: "view_submission",
        team: { id: "T0TEAM", domain: "acme" },
        user: userOf(user),
        api_app_id: "A0ROLLOUT",
        token: "legacy-verification-token",
        trigger_id: `${++sequence}.trigger`,
        view: {
          id: "V0MODAL",
          team_id: "T0TEAM",
          type: "modal",
          callback_id: "rollout_rollback_modal",
          private_metadata: privateMetadata,
          state: {
            values: { rollback_reason: { reason: { type: "plain_text_input", value: reason ?? null } } },
          },
          hash: "1700000002.abc",
          title: { type: "plain_text", text: "Roll back" },
          blocks: [],
          app_id: "A0ROLLOUT",
          bot_id: "B0BOT",
          root_view_id: "V0MODAL",
          previous_view_id: null,
          clear_on_close: false,
          notify_on_close: false,
          external_id: "",
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      });
    },
    idle: () => slack.idle(),
    async close() {
      await slack.close();
      await app.close();
      await fake.close();
      await responses.close();
    },
  };
}

/** The text of every section and context of some blocks, joined: what a reader of the message sees. */
export function textOf(blocks: unknown): string {
  if (!Array.isArray(blocks)) return "";
  return blocks
    .flatMap((block: { text?: { text?: string }; elements?: { text?: string }[] }) => [
      block.text?.text ?? "",
      ...(block.elements ?? []).map((e) => e.text ?? ""),
    ])
    .filter((t) => t !== "")
    .join("\n");
}
