import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemorySlackMessageStore } from "../../src/adapters/memory/memory-slack-store.ts";
import { SlackNotifier, type SlackNotifierOptions } from "../../src/adapters/slack/slack-notifier.ts";
import { isRolloutError } from "../../src/core/errors.ts";
import type { StatusEvent, StatusMessage } from "../../src/core/messages/status-message.ts";
import type { Logger } from "../../src/ports.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.ts";

const CHANNEL = "C0DEPLOYS";
const TOKEN = "xoxb-1234567890-secret-test-token";

interface LogLine {
  level: string;
  fields: object;
  message: string;
}

/** A Logger that keeps every line, bindings of child loggers included. */
function capturingLogger(lines: LogLine[] = [], bindings: object = {}): Logger & { lines: LogLine[] } {
  const log = (level: string) => (fields: object, message: string) =>
    lines.push({ level, fields: { ...bindings, ...fields }, message });
  return {
    lines,
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    debug: log("debug"),
    child: (more: object) => capturingLogger(lines, { ...bindings, ...more }),
  };
}

function status(percent: number, event: StatusEvent = "status", rollout = "checkout-v2"): StatusMessage {
  return {
    rollout,
    repo: "acme/shop",
    event,
    headline: `${rollout} at ${percent}% (${event})`,
    colour: "green",
    health: {
      status: "green",
      reasons: [{ kind: "info", status: "green", pass: true, text: "bake time only" }],
    },
    percent,
    stage: [0, 10, 50, 100].indexOf(percent),
    stageCount: 3,
    percents: [10, 50, 100],
    phase: "baking",
    links: {},
  };
}

/** Just what identifies a call: its method, channel, ts and thread. */
const brief = (slack: FakeSlack) =>
  slack.calls.map((c) => ({
    method: c.method,
    status: c.status,
    channel: c.body.channel,
    ...(c.body.ts === undefined ? {} : { ts: c.body.ts }),
    ...(c.body.thread_ts === undefined ? {} : { thread_ts: c.body.thread_ts }),
  }));

let slack: FakeSlack;
let logger: ReturnType<typeof capturingLogger>;

beforeEach(async () => {
  slack = await startFakeSlack({ token: TOKEN });
  logger = capturingLogger();
});
afterEach(async () => {
  await slack.close();
});

function notifier(options: Partial<SlackNotifierOptions> = {}): SlackNotifier {
  return new SlackNotifier({
    token: TOKEN,
    slackApiUrl: slack.url,
    defaultChannel: CHANNEL,
    logger,
    retry: { retries: 2, factor: 2, minTimeout: 20, maxTimeout: 50 },
    ...options,
  });
}

describe("SlackNotifier", () => {
  it("posts the first status of a stage as one top-level message", async () => {
    await notifier().post(status(10));
    expect(brief(slack)).toEqual([{ method: "chat.postMessage", status: 200, channel: CHANNEL }]);
    const [message] = slack.topLevel(CHANNEL);
    expect(message?.text).toBe("🟢 checkout-v2 at 10% (status)");
    expect(message?.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "🟢 checkout-v2 · 10%", emoji: true },
    });
  });

  it("updates the stage's message in place and adds one threaded reply on the next scheduled post", async () => {
    const slackNotifier = notifier();
    await slackNotifier.post(status(10));
    const ts = slack.calls[0]?.ts;
    await slackNotifier.post({
      ...status(10),
      headline: "checkout-v2 at 10%, still baking",
      colour: "yellow",
    });
    expect(brief(slack)).toEqual([
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
      { method: "chat.update", status: 200, channel: CHANNEL, ts },
      { method: "chat.postMessage", status: 200, channel: CHANNEL, thread_ts: ts },
    ]);
    expect(slack.topLevel(CHANNEL)).toHaveLength(1);
    const message = slack.message(CHANNEL, ts ?? "");
    expect(message?.edits).toBe(1);
    expect(message?.text).toBe("🟡 checkout-v2 at 10%, still baking");
    expect(slack.thread(CHANNEL, ts ?? "").map((m) => m.text.split("\n")[0])).toEqual([
      "🟡 checkout-v2 at 10%, still baking",
    ]);
  });

  it("announces an advance as a new top-level message, which later posts update", async () => {
    const slackNotifier = notifier();
    await slackNotifier.post(status(10));
    await slackNotifier.post(status(50, "advanced"));
    await slackNotifier.post(status(50));
    const [first, second] = slack.topLevel(CHANNEL);
    expect(brief(slack)).toEqual([
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
      { method: "chat.update", status: 200, channel: CHANNEL, ts: second?.ts },
      { method: "chat.postMessage", status: 200, channel: CHANNEL, thread_ts: second?.ts },
    ]);
    expect(first?.text).toBe("🟢 checkout-v2 at 10% (status)");
    expect(slack.topLevel(CHANNEL)).toHaveLength(2);
  });

  it("announces a stage passed once, then treats the repeats of later ticks as updates", async () => {
    const slackNotifier = notifier();
    await slackNotifier.post(status(10));
    const first = slack.calls[0]?.ts;
    await slackNotifier.post(status(10, "stage_passed"));
    const announcement = slack.calls.at(-1)?.ts;
    await slackNotifier.post(status(10, "stage_passed"));
    expect(brief(slack)).toEqual([
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
      { method: "chat.update", status: 200, channel: CHANNEL, ts: first },
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
      { method: "chat.update", status: 200, channel: CHANNEL, ts: announcement },
      { method: "chat.postMessage", status: 200, channel: CHANNEL, thread_ts: announcement },
    ]);
  });

  it("announces health turning red as a new message; other health changes are threaded replies", async () => {
    const slackNotifier = notifier();
    await slackNotifier.post(status(10));
    const first = slack.calls[0]?.ts;
    await slackNotifier.post({ ...status(10, "health_changed"), colour: "yellow" });
    await slackNotifier.post({ ...status(10, "health_changed"), colour: "red" });
    const red = slack.calls.at(-1)?.ts;
    expect(brief(slack)).toEqual([
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
      { method: "chat.update", status: 200, channel: CHANNEL, ts: first },
      { method: "chat.postMessage", status: 200, channel: CHANNEL, thread_ts: first },
      { method: "chat.update", status: 200, channel: CHANNEL, ts: first },
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
    ]);
    expect(slack.topLevel(CHANNEL).map((m) => m.ts)).toEqual([first, red]);
  });

  it("posts a new message when the stage's message was deleted", async () => {
    const store = new MemorySlackMessageStore();
    const slackNotifier = notifier({ store });
    await slackNotifier.post(status(10));
    slack.messages.clear();
    await slackNotifier.post(status(10));
    expect(brief(slack).map((c) => c.method)).toEqual([
      "chat.postMessage",
      "chat.update",
      "chat.postMessage",
    ]);
    expect(slack.topLevel(CHANNEL)).toHaveLength(1);
    expect(await store.get(`${CHANNEL}|acme/shop|checkout-v2|10`)).toEqual({
      channel: CHANNEL,
      ts: slack.topLevel(CHANNEL)[0]?.ts,
    });
  });

  it("uses the rollout's own channel, and skips with a log line when there is none", async () => {
    await notifier().post({ ...status(10), channel: "C0OTHER" });
    expect(slack.topLevel("C0OTHER")).toHaveLength(1);
    await notifier({ defaultChannel: undefined }).post(status(10));
    expect(slack.calls).toHaveLength(1);
    expect(logger.lines.map((l) => l.message)).toContain("no slack channel; status not posted");
  });

  it("waits out a 429 with Retry-After with the WebClient's default retries and succeeds", async () => {
    slack.failNext(1, { status: 429, retryAfter: 1 });
    const started = Date.now();
    await notifier({ retry: undefined }).post(status(10));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(brief(slack)).toEqual([
      { method: "chat.postMessage", status: 429, channel: CHANNEL },
      { method: "chat.postMessage", status: 200, channel: CHANNEL },
    ]);
    expect(slack.topLevel(CHANNEL)).toHaveLength(1);
  });

  it("retries 5xx a bounded number of times", async () => {
    slack.failNext(2, { status: 503 });
    await notifier().post(status(10));
    expect(brief(slack).map((c) => c.status)).toEqual([503, 503, 200]);

    slack.failNext(5, { status: 503 });
    const failing = notifier();
    await expect(failing.post(status(50, "advanced"))).rejects.toMatchObject({ code: "UPSTREAM" });
    expect(brief(slack).map((c) => c.status)).toEqual([503, 503, 200, 503, 503, 503]);
    expect(failing.pending).toBe(1);
  });

  it("does not sleep through a long Retry-After: the post fails at once and waits in the outbox", async () => {
    slack.failNext(1, { status: 429, retryAfter: 120 });
    const slackNotifier = notifier();
    const started = Date.now();
    await expect(slackNotifier.post(status(10))).rejects.toThrow("rate limited: retry after 120s");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(slackNotifier.pending).toBe(1);
    await slackNotifier.flush();
    expect(slackNotifier.pending).toBe(0);
    expect(slack.topLevel(CHANNEL)).toHaveLength(1);
  });

  it("keeps posts in the outbox while Slack is down and delivers them once it is back", async () => {
    const slackNotifier = notifier();
    await slack.down();
    const error = await slackNotifier.post(status(50, "rolled_back")).catch((e: unknown) => e);
    expect(isRolloutError(error) && error.code).toBe("UPSTREAM");
    expect(String(error)).toContain("ECONNREFUSED");
    expect(slackNotifier.pending).toBe(1);

    // Still down: the next post for another rollout is kept as well, without waiting out the retries twice.
    await expect(slackNotifier.post(status(10, "status", "search"))).rejects.toMatchObject({
      code: "UPSTREAM",
    });
    expect(slackNotifier.pending).toBe(2);

    await slack.up();
    await slackNotifier.post(status(10, "status", "checkout-v3"));
    expect(slackNotifier.pending).toBe(0);
    expect(slack.topLevel(CHANNEL).map((m) => m.text)).toEqual([
      "🟢 checkout-v2 at 50% (rolled_back)",
      "🟢 search at 10% (status)",
      "🟢 checkout-v3 at 10% (status)",
    ]);
  });

  it("keeps only the newest state per rollout, still announcing a milestone it replaced", async () => {
    const slackNotifier = notifier();
    await slackNotifier.post(status(50));
    await slack.down(503);
    await expect(slackNotifier.post(status(50, "stage_passed"))).rejects.toThrow();
    await expect(slackNotifier.post({ ...status(50), headline: "newest" })).rejects.toThrow();
    expect(slackNotifier.pending).toBe(1);
    await slack.up();
    slack.calls.length = 0;
    await slackNotifier.flush();
    // The newest state, announced as a new top-level message because a milestone was among those replaced.
    expect(brief(slack).map((c) => [c.method, c.thread_ts])).toEqual([
      ["chat.update", undefined],
      ["chat.postMessage", undefined],
    ]);
    expect(slack.topLevel(CHANNEL).map((m) => m.text)).toEqual(["🟢 newest", "🟢 newest"]);
  });

  it("bounds the outbox, dropping the oldest, and a refused post in it does not hold up the rest", async () => {
    const slackNotifier = notifier({ outboxLimit: 2 });
    await slack.down();
    await slackNotifier.post(status(10, "status", "first")).catch(() => {});
    await slackNotifier.post({ ...status(10, "status", "refused"), channel: "" }).catch(() => {});
    await slackNotifier.post(status(10, "status", "last")).catch(() => {});
    expect(slackNotifier.pending).toBe(2);
    expect(logger.lines.map((l) => l.message)).toContain("slack outbox full; oldest post dropped");
    await slack.up();
    await slackNotifier.flush();
    expect(slackNotifier.pending).toBe(0);
    expect(slack.calls.map((c) => [c.body.channel, c.ok])).toEqual([
      ["", false],
      [CHANNEL, true],
    ]);
    expect(logger.lines.map((l) => l.message)).toContain("slack post refused");
  });

  it("drops a post Slack refuses for good instead of re-sending it forever", async () => {
    const slackNotifier = notifier({ token: "xoxb-wrong" });
    await expect(slackNotifier.post(status(10))).rejects.toThrow("invalid_auth");
    expect(slackNotifier.pending).toBe(0);
    expect(slack.calls).toHaveLength(1);
  });

  it("never logs the token, whatever happens", async () => {
    const slackNotifier = notifier();
    await slackNotifier.post(status(10));
    slack.failNext(1, { status: 429, retryAfter: 1 });
    await slackNotifier.post(status(10));
    await slack.down();
    await slackNotifier.post(status(50, "advanced")).catch(() => {});
    await slack.up();
    await slackNotifier.flush();
    await notifier({ token: `${TOKEN}-revoked` })
      .post(status(10))
      .catch(() => {});
    expect(logger.lines.length).toBeGreaterThan(5);
    // The SDK's own lines arrive as one static message with the text in a field.
    expect(
      logger.lines.some(
        (l) =>
          l.level === "debug" &&
          String((l.fields as { detail?: string }).detail).includes("http request headers"),
      ),
    ).toBe(true);
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain("secret-test-token");
  });
});

describe("fake Slack", () => {
  it("answers invalid_auth with HTTP 200 and ok:false, as Slack does", async () => {
    const response = await fetch(`${slack.url}auth.test`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: false, error: "invalid_auth" });
  });

  it("reads JSON bodies and the other methods the bot calls", async () => {
    const call = async (method: string, body: object) =>
      (
        await fetch(`${slack.url}${method}`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify(body),
        })
      ).json();
    expect(await call("chat.postEphemeral", { channel: CHANNEL, user: "U1", text: "hi" })).toMatchObject({
      ok: true,
    });
    expect(await call("views.open", { trigger_id: "1.2.3", view: { type: "modal" } })).toMatchObject({
      ok: true,
      view: { type: "modal" },
    });
    expect(await call("usergroups.users.list", { usergroup: "S1" })).toEqual({
      ok: false,
      error: "no_such_subteam",
    });
    expect(await call("conversations.info", { channel: "C404" })).toEqual({
      ok: false,
      error: "channel_not_found",
    });
    expect(await call("auth.test", {})).toMatchObject({ ok: true, user_id: "U0BOT" });
  });
});
