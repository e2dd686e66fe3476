import { describe, expect, it } from "vitest";
import { authorize, type RepoPermission } from "../../src/core/commands/authorize.ts";
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

describe("authorize: who is listed", () => {
  const github = (login: string, teams: string[] = [], permission: RepoPermission = "write") => ({
    kind: "github" as const,
    login,
    permission,
    teams,
  });
  const listedOnGitHub = defaultSettings({
    permissions: { advance: { github_users: ["lead"], github_teams: ["acme/release", "acme/sre"] } },
  });

  it("matches GitHub logins and teams without regard to case; any one listed team will do", () => {
    expect(authorize(listedOnGitHub, "advance", github("Lead"))).toEqual({ ok: true });
    expect(authorize(listedOnGitHub, "advance", github("dev", ["acme/web", "ACME/SRE"]))).toEqual({
      ok: true,
    });
    // Listing people replaces the write-access default: an unlisted writer (even an admin) is refused.
    expect(authorize(listedOnGitHub, "advance", github("dev", ["acme/web"], "admin"))).toEqual({
      ok: false,
      reason:
        "@dev may not advance: only the people and groups listed under permissions.advance in .github/rollout-bot.yml",
    });
  });

  it("leaves a platform the settings name nobody on to its default: write access on GitHub", () => {
    const slackOnly = defaultSettings({ permissions: { pause: { slack_users: ["U_LEAD"] } } });
    expect(authorize(slackOnly, "pause", github("dev"))).toEqual({ ok: true });
    expect(authorize(slackOnly, "pause", github("dev", [], "triage"))).toEqual({
      ok: false,
      reason: "@dev may not pause: it needs write access to the repository (has triage)",
    });
    // An empty list names nobody: it is not a list that refuses everyone.
    const empty = defaultSettings({ permissions: { resume: { github_users: [], slack_users: [] } } });
    expect(authorize(empty, "resume", github("dev", [], "maintain"))).toEqual({ ok: true });
  });

  it("says which permission refused, with the kill switch spelled as people type it", () => {
    expect(
      authorize(restricted, "rollback_all", { kind: "slack", user: "U_X", groups: ["S_OTHER"] }),
    ).toEqual({
      ok: false,
      reason:
        "<@U_X> may not rollback all: only the people and groups listed under permissions.rollback_all in .github/rollout-bot.yml",
    });
    expect(authorize(defaultSettings(), "rollback_all", github("Dev", [], "admin"))).toEqual({
      ok: false,
      reason:
        "rollback all is disabled until permissions.rollback_all lists who may use it in .github/rollout-bot.yml",
    });
  });

  it("lets the bot's own automation use the kill switch even where nobody is named", () => {
    expect(authorize(defaultSettings(), "rollback_all", { kind: "automation" })).toEqual({ ok: true });
    expect(authorize(defaultSettings(), "rollback_all", { kind: "local" })).toEqual({ ok: true });
  });

  // SPEC §4: "A Slack identity may do nothing mutating that the settings do not name it for … invalid
  // settings fail closed." Today a Slack user is let through wherever the settings name no Slack
  // principal (no permissions at all, or GitHub teams only): anyone in a bound workspace can advance.
  // The lead owns the change; when it lands, drop the `.fails`.
  it.fails("refuses a Slack user the settings do not name, even when they name nobody on Slack", () => {
    const slackUser = { kind: "slack" as const, user: "U_ANYONE", groups: [] };
    expect(authorize(defaultSettings(), "advance", slackUser).ok).toBe(false);
    expect(authorize(listedOnGitHub, "advance", slackUser).ok).toBe(false);
  });
});
