import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Slack's Web API on 127.0.0.1, for `SLACK_API_URL`. It answers as Slack does:
 * HTTP 200 with `ok: false` for API errors, 429 with Retry-After when rate limited. It reads the
 * bodies the WebClient sends (form-encoded, objects such as `blocks` as JSON strings) and JSON ones.
 */

export interface FakeSlackCall {
  method: string;
  body: Record<string, unknown>;
  /** The message ts the call created or edited, when it did. */
  ts?: string;
  /** When the call arrived (ms since the epoch). */
  at: number;
  /** HTTP status answered. */
  status: number;
  ok: boolean;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  edits: number;
}

export type FakeSlackFault = { status: 429; retryAfter?: number } | { status: 500 | 502 | 503 };

export interface FakeSlackOptions {
  token?: string;
  /** Members of each user group, for `usergroups.users.list`. */
  usergroups?: Record<string, string[]>;
  /** Channels `conversations.info` knows, by id; any other id is `channel_not_found`. */
  channels?: Record<string, { name: string; is_member?: boolean }>;
}

export interface FakeSlack {
  /** `http://127.0.0.1:<port>/api/` */
  url: string;
  token: string;
  calls: FakeSlackCall[];
  /** By `${channel}:${ts}`, top-level messages and thread replies alike. */
  messages: Map<string, FakeSlackMessage>;
  message(channel: string, ts: string): FakeSlackMessage | undefined;
  /** Top-level messages of a channel, oldest first. */
  topLevel(channel: string): FakeSlackMessage[];
  /** Replies in the thread of a message, oldest first. */
  thread(channel: string, ts: string): FakeSlackMessage[];
  failNext(count: number, fault: FakeSlackFault): void;
  /** `refused`: nothing listens on the port; `503`: every call answers 503. */
  down(mode?: "refused" | 503): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BLOCKS = 50;
const MAX_HEADER = 150;
const MAX_TEXT = 3000;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw === "") return {};
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    return JSON.parse(raw) as Record<string, unknown>;
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The WebClient JSON-encodes arrays and objects inside the form.
    body[key] = key === "blocks" || key === "attachments" || key === "view" ? JSON.parse(value) : value;
  }
  return body;
}

/** What Slack would refuse as `invalid_blocks`: too many blocks, text past its limit. */
function invalidBlocks(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return "blocks must be an array";
  if (blocks.length > MAX_BLOCKS) return `${blocks.length} blocks`;
  for (const block of blocks as { type?: string; text?: { text?: string }; elements?: unknown[] }[]) {
    const text = block.text?.text ?? "";
    if (block.type === "header" && text.length > MAX_HEADER) return "header text too long";
    if (block.type === "section" && text.length > MAX_TEXT) return "section text too long";
    if (block.type === "context" && (block.elements?.length ?? 0) > 10) return "too many context elements";
  }
  return undefined;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = options.token ?? "xoxb-fake-slack-token";
  const calls: FakeSlackCall[] = [];
  const messages = new Map<string, FakeSlackMessage>();
  const faults: FakeSlackFault[] = [];
  let mode: "up" | "refused" | 503 = "up";
  let clock = 1_700_000_000;
  let sequence = 0;
  const nextTs = () => `${clock++}.${String(++sequence).padStart(6, "0")}`;

  type Result = { body: Record<string, unknown>; ts?: string };
  const methods: Record<string, (body: Record<string, unknown>) => Result> = {
    "auth.test": () => ({
      body: {
        url: "https://fake.slack.test/",
        team: "Fake",
        user: "rollout-bot",
        team_id: "T0FAKE",
        user_id: "U0BOT",
        bot_id: "B0BOT",
      },
    }),
    "chat.postMessage": (body) => {
      const channel = String(body.channel ?? "");
      if (channel === "") return { body: { ok: false, error: "channel_not_found" } };
      if (!body.text && !body.blocks) return { body: { ok: false, error: "no_text" } };
      const invalid = invalidBlocks(body.blocks);
      if (invalid) return { body: { ok: false, error: "invalid_blocks", errors: [invalid] } };
      const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : undefined;
      if (threadTs && !messages.has(`${channel}:${threadTs}`)) {
        return { body: { ok: false, error: "thread_not_found" } };
      }
      const ts = nextTs();
      const message: FakeSlackMessage = {
        channel,
        ts,
        text: String(body.text ?? ""),
        blocks: (body.blocks as unknown[] | undefined) ?? [],
        edits: 0,
        ...(threadTs ? { threadTs } : {}),
      };
      messages.set(`${channel}:${ts}`, message);
      return { body: { channel, ts, message: { text: message.text, blocks: message.blocks, ts } }, ts };
    },
    "chat.update": (body) => {
      const channel = String(body.channel ?? "");
      const ts = String(body.ts ?? "");
      const message = messages.get(`${channel}:${ts}`);
      if (!message) return { body: { ok: false, error: "message_not_found" } };
      const invalid = invalidBlocks(body.blocks);
      if (invalid) return { body: { ok: false, error: "invalid_blocks", errors: [invalid] } };
      if (body.text !== undefined) message.text = String(body.text);
      if (body.blocks !== undefined) message.blocks = body.blocks as unknown[];
      message.edits += 1;
      return { body: { channel, ts, text: message.text }, ts };
    },
    "chat.postEphemeral": (body) => {
      if (!body.channel || !body.user) return { body: { ok: false, error: "invalid_arguments" } };
      return { body: { message_ts: nextTs() } };
    },
    "usergroups.users.list": (body) => {
      const users = options.usergroups?.[String(body.usergroup ?? "")];
      return users ? { body: { users } } : { body: { ok: false, error: "no_such_subteam" } };
    },
    "views.open": (body) => {
      if (!body.trigger_id) return { body: { ok: false, error: "invalid_trigger_id" } };
      return { body: { view: { id: `V${++sequence}`, ...(body.view as object) } } };
    },
    "conversations.info": (body) => {
      const id = String(body.channel ?? "");
      const channel = options.channels?.[id];
      if (!channel) return { body: { ok: false, error: "channel_not_found" } };
      return {
        body: { channel: { id, name: channel.name, is_channel: true, is_member: channel.is_member ?? true } },
      };
    },
  };

  const send = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const body = await readBody(req);
    const record = (status: number, ok: boolean, ts?: string) =>
      calls.push({ method, body, at: Date.now(), status, ok, ...(ts ? { ts } : {}) });
    if (mode === 503) {
      record(503, false);
      return send(res, 503, { ok: false, error: "service_unavailable" });
    }
    const fault = faults.shift();
    if (fault) {
      record(fault.status, false);
      if (fault.status === 429) {
        return send(
          res,
          429,
          { ok: false, error: "ratelimited" },
          { "retry-after": String(fault.retryAfter ?? 1) },
        );
      }
      return send(res, fault.status, { ok: false, error: "service_unavailable" });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if ((bearer ?? body.token) !== token) {
      record(200, false);
      return send(res, 200, { ok: false, error: "invalid_auth" });
    }
    const handler = req.method === "POST" || req.method === "GET" ? methods[method] : undefined;
    if (!handler) {
      record(200, false);
      return send(res, 200, { ok: false, error: "unknown_method" });
    }
    const result = handler(body);
    const ok = result.body.ok !== false;
    record(200, ok, ok ? result.ts : undefined);
    return send(res, 200, { ok, ...result.body });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 400, { ok: false, error: "invalid_form_data" }));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const port = await listen(0);

  const byTs = (a: FakeSlackMessage, b: FakeSlackMessage) => Number(a.ts) - Number(b.ts);
  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    calls,
    messages,
    message: (channel, ts) => messages.get(`${channel}:${ts}`),
    topLevel: (channel) =>
      [...messages.values()].filter((m) => m.channel === channel && m.threadTs === undefined).sort(byTs),
    thread: (channel, ts) =>
      [...messages.values()].filter((m) => m.channel === channel && m.threadTs === ts).sort(byTs),
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    async down(how = "refused") {
      if (how === "refused" && mode !== "refused") await stop();
      mode = how;
    },
    async up() {
      if (mode === "refused") await listen(port);
      mode = "up";
    },
    async close() {
      if (mode !== "refused") await stop();
      mode = "refused";
    },
  };
}
