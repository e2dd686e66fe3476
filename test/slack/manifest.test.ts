import { readFileSync } from "node:fs";
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

  it("asks for exactly the bot scopes of the Web API methods called, no user scopes and no events", () => {
    // commands: /rollout · chat:write: chat.postMessage, chat.update · usergroups:read: usergroups.users.list.
    // views.open needs no scope; replies go to response_url, which needs none either.
    expect(manifest.oauth_config.scopes.bot).toEqual(["commands", "chat:write", "usergroups:read"]);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    expect(manifest.settings.event_subscriptions).toBeUndefined();
  });
});
