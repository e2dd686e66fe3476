import { describe, expect, it } from "vitest";
import { authorize } from "../../src/core/commands/authorize.ts";
import { defaultSettings } from "../helpers/plans.ts";

const restricted = defaultSettings({
  permissions: {
    advance: { slack_users: ["U_LEAD"], github_teams: ["acme/release-managers"] },
    rollback: { slack_groups: ["S_ONCALL"], github_teams: ["acme/oncall"] },
    rollback_all: { slack_groups: ["S_ONCALL"] },
  },
});
const oncallSlack = { kind: "slack" as const, user: "U_PAGER", groups: ["S_ONCALL"] };
const writer = (teams: string[] = []) => ({
  kind: "github" as const,
  login: "Dev",
  permission: "write" as const,
  teams,
});

describe("authorize", () => {
  it("keeps rollback reachable to on-call when advance is restricted", () => {
    expect(authorize(restricted, "rollback", oncallSlack)).toEqual({ ok: true });
    expect(authorize(restricted, "advance", oncallSlack)).toEqual({
      ok: false,
      reason:
        "<@U_PAGER> may not advance: only the people and groups listed under permissions.advance in .github/rollout-bot.yml",
    });
    expect(authorize(restricted, "rollback", writer(["ACME/oncall"]))).toEqual({ ok: true });
    expect(authorize(restricted, "rollback", writer()).ok).toBe(false);
  });
  it("defaults to write access on GitHub and refuses read-only users", () => {
    const open = defaultSettings();
    expect(authorize(open, "advance", writer())).toEqual({ ok: true });
    expect(
      authorize(open, "pause", { kind: "github", login: "viewer", permission: "read", teams: [] }),
    ).toEqual({
      ok: false,
      reason: "@viewer may not pause: it needs write access to the repository (has read)",
    });
  });
  it("never opens the kill switch by default", () => {
    expect(authorize(defaultSettings(), "rollback_all", writer()).ok).toBe(false);
    expect(authorize(restricted, "rollback_all", oncallSlack)).toEqual({ ok: true });
    expect(authorize(restricted, "rollback_all", { kind: "slack", user: "U_X", groups: [] }).ok).toBe(false);
  });
  it("trusts the local checkout and the bot's automation", () => {
    expect(authorize(restricted, "rollback_all", { kind: "local" })).toEqual({ ok: true });
    expect(authorize(restricted, "advance", { kind: "automation" })).toEqual({ ok: true });
  });
});
