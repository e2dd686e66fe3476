import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SLACK_EVENTS_PATH } from "../../src/main/slack.ts";

/** The manifest asks for what the code uses and nothing more. */
describe("slack-manifest.yml", () => {
  const manifest = parse(readFileSync("slack-manifest.yml", "utf8")) as {
    features: { slash_commands: { command: string; url: string }[]; bot_user: object };
    oauth_config: { scopes: { bot: string[]; user?: string[] } };
    settings: { interactivity: { is_enabled: boolean; request_url: string }; event_subscriptions?: unknown };
  };

  it("declares /rollout and interactivity, both at /slack/events", () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(["/rollout"]);
    expect(new URL(manifest.features.slash_commands[0]!.url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });

  it("asks for exactly the bot scopes of the Web API methods the code calls, no user scopes and no events", () => {
    const called = slackMethodsCalled();
    expect(called).toEqual(expect.arrayContaining(["chat.postMessage", "chat.update"]));
    const unknown = called.filter((method) => !(method in METHOD_SCOPES));
    expect(unknown, "add the scopes these methods need to METHOD_SCOPES (and to slack-manifest.yml)").toEqual(
      [],
    );
    // `commands` for /rollout itself; replies go to response_url, which needs no scope.
    const needed = new Set(["commands", ...called.flatMap((method) => METHOD_SCOPES[method]!)]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    expect(manifest.settings.event_subscriptions).toBeUndefined();
  });
});

/** The bot-token scopes each Web API method needs (api.slack.com/methods/<method>). */
const METHOD_SCOPES: Record<string, string[]> = {
  "auth.test": [],
  "chat.postMessage": ["chat:write"],
  "chat.update": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  "usergroups.users.list": ["usergroups:read"],
  "views.open": [],
  "views.update": [],
};

/** Every `client.<family>.<method>(` call in src/ (WebClient calls, Bolt's `client` included). */
function slackMethodsCalled(): string[] {
  const files = readdirSync("src", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const methods = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join("src", file), "utf8");
    for (const m of text.matchAll(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\(/g)) methods.add(m[1]!);
  }
  return [...methods].sort();
}
