import { describe, expect, it } from "vitest";
import { silentNotifier } from "../../src/adapters/console/console-notifier.ts";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { localServices } from "../../src/main/coordination.ts";
import { parseServerEnv, slackEnabled } from "../../src/main/server-env.ts";
import { createSlackSurface, slackDirectory } from "../../src/main/slack.ts";
import { startFakeSlack } from "../fakes/slack/fake-slack.ts";

describe("Slack settings in the server's environment", () => {
  it("turns Slack on with a bot token and a signing secret (or an app token for Socket Mode)", () => {
    const http = parseServerEnv({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    expect(http.ok && slackEnabled(http.env)).toBe(true);
    const socket = parseServerEnv({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1-A-1-x" });
    expect(socket.ok && slackEnabled(socket.env)).toBe(true);
    const off = parseServerEnv({});
    expect(off.ok && slackEnabled(off.env)).toBe(false);
  });

  it("names what is missing or malformed, never echoing a value", () => {
    const secret = "super-secret-signing-value";
    const missing = parseServerEnv({ SLACK_SIGNING_SECRET: secret });
    expect(missing).toEqual({
      ok: false,
      problems: ["SLACK_BOT_TOKEN: required for Slack (the bot token, xoxb-…)"],
    });
    const noSecret = parseServerEnv({ SLACK_BOT_TOKEN: "xoxb-1" });
    expect(noSecret.ok ? [] : noSecret.problems).toEqual([
      "SLACK_SIGNING_SECRET: required: Slack requests are verified with it",
    ]);
    const badUrl = parseServerEnv({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: "http://127.0.0.1:4000/",
    });
    expect(badUrl.ok ? [] : badUrl.problems).toEqual([
      "SLACK_API_URL: SLACK_API_URL must end with /api/ (the Web API base)",
    ]);
    expect(JSON.stringify([missing, noSecret, badUrl])).not.toContain(secret);
  });
});

describe("Socket Mode", () => {
  it("mounts no HTTP route, and a failed connection at start is retried in the background, never thrown", async () => {
    const fake = await startFakeSlack();
    const clock = { now: () => new Date() };
    const client = slackDirectory({
      botToken: fake.token,
      appToken: "xapp-1-A0ROLLOUT-1-secret",
      slackApiUrl: fake.url,
      clock,
      logger: silentLogger,
    });
    const services = localServices({
      metrics: () => undefined,
      notifier: silentNotifier,
      clock,
      logger: silentLogger,
    });
    const surface = createSlackSurface(client, services, new StaticRegistry([]));
    expect(surface.route).toBeUndefined();
    surface.start();
    await expect.poll(() => fake.calls.map((c) => c.method)).toContain("apps.connections.open");
    await surface.close();
    await fake.close();
  });
});
