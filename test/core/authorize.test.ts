import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuthorizeInput,
  authorize,
  type Identity,
  type Need,
  type Permission,
  type RepoPermission,
  VERB_NEEDS,
} from "../../src/core/commands/authorize.ts";
import { VERBS } from "../../src/core/commands/command.ts";
import { defaultSettings } from "../helpers/plans.ts";

const TEAM = "T0ACME";
const restricted = defaultSettings({
  permissions: {
    advance: { slack_users: ["U_LEAD"], github_teams: ["acme/release-managers"] },
    rollback: { slack_groups: ["S_ONCALL"], github_teams: ["acme/oncall"] },
    rollback_all: { slack_groups: ["S_ONCALL"] },
  },
});
const oncallSlack: Identity = { kind: "slack", user: "U_PAGER", team: TEAM, groups: ["S_ONCALL"] };
const writer = (teams: string[] = []): Identity => ({
  kind: "github",
  login: "Dev",
  permission: "write",
  teams,
});
const check = (
  settings: AuthorizeInput["settings"],
  need: Need,
  identity: Identity,
  extra: Partial<AuthorizeInput> = {},
) => authorize({ settings, need, identity, workspace: TEAM, ...extra });

describe("authorize", () => {
  it("keeps rollback reachable to on-call when advance is restricted", () => {
    expect(check(restricted, "rollback", oncallSlack)).toEqual({ ok: true });
    expect(check(restricted, "advance", oncallSlack)).toEqual({
      ok: false,
      reason:
        "<@U_PAGER> may not advance: only the Slack users and groups listed under permissions.advance in .github/rollout-bot.yml",
    });
    expect(check(restricted, "rollback", writer(["ACME/oncall"]))).toEqual({ ok: true });
    expect(check(restricted, "rollback", writer()).ok).toBe(false);
  });

  it("defaults to write access on GitHub and refuses read-only users", () => {
    const open = defaultSettings();
    expect(check(open, "advance", writer())).toEqual({ ok: true });
    expect(check(open, "pause", { kind: "github", login: "viewer", permission: "read", teams: [] })).toEqual({
      ok: false,
      reason: "@viewer may not pause: it needs write access to the repository (has read)",
    });
    expect(check(open, "read", { kind: "github", login: "stranger", permission: "none", teams: [] }).ok).toBe(
      false,
    );
  });

  it("never opens the kill switch by default", () => {
    expect(check(defaultSettings(), "rollback_all", writer()).ok).toBe(false);
    expect(check(restricted, "rollback_all", oncallSlack)).toEqual({ ok: true });
    expect(check(restricted, "rollback_all", { kind: "slack", user: "U_X", team: TEAM, groups: [] }).ok).toBe(
      false,
    );
  });

  it("trusts the local checkout and the bot's automation", () => {
    expect(check(restricted, "rollback_all", { kind: "local" })).toEqual({ ok: true });
    expect(check(restricted, "advance", { kind: "automation" })).toEqual({ ok: true });
  });

  it("gives a Slack user nothing mutating the settings do not name them for, even where only GitHub is restricted", () => {
    // Before: principals naming only github_users let every Slack user through.
    const githubOnly = defaultSettings({ permissions: { rollback: { github_users: ["alice"] } } });
    const stranger: Identity = { kind: "slack", user: "U_STRANGER", team: TEAM, groups: [] };
    expect(check(githubOnly, "rollback", stranger).ok).toBe(false);
    expect(check(defaultSettings(), "pause", stranger).ok).toBe(false);
    expect(check(defaultSettings(), "read", stranger)).toEqual({ ok: true });
  });

  it("a Slack user of another workspace, or of an unbound repository, may not even read", () => {
    const other: Identity = { ...oncallSlack, team: "T0OTHER" };
    expect(check(restricted, "read", other).ok).toBe(false);
    expect(check(restricted, "rollback", other).ok).toBe(false);
    expect(check(restricted, "read", oncallSlack, { workspace: undefined })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not bound"),
    });
  });

  it("invalid settings fail closed: only a writer's rollback on GitHub gets through", () => {
    const problem = ".github/rollout-bot.yml:2:3 permissions.rolback: unknown key";
    expect(check(restricted, "rollback", oncallSlack, { settingsProblem: problem })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("is invalid"),
    });
    expect(check(defaultSettings(), "advance", writer(), { settingsProblem: problem }).ok).toBe(false);
    expect(check(defaultSettings(), "rollback", writer(), { settingsProblem: problem })).toEqual({
      ok: true,
    });
    expect(
      check(
        defaultSettings(),
        "rollback",
        { kind: "github", login: "r", permission: "read", teams: [] },
        {
          settingsProblem: problem,
        },
      ).ok,
    ).toBe(false);
  });

  it("one verb → need map for every verb, tick included", () => {
    expect(Object.keys(VERB_NEEDS).sort()).toEqual([...VERBS, "rollback-all"].sort());
    expect(VERB_NEEDS.tick).toBe("advance");
    expect(VERB_NEEDS.status).toBe("read");
  });
});

describe("authorize: who is listed", () => {
  const github = (login: string, teams: string[] = [], permission: RepoPermission = "write"): Identity => ({
    kind: "github",
    login,
    permission,
    teams,
  });
  const listedOnGitHub = defaultSettings({
    permissions: { advance: { github_users: ["lead"], github_teams: ["acme/release", "acme/sre"] } },
  });

  it("matches GitHub logins and teams without regard to case; any one listed team will do", () => {
    expect(check(listedOnGitHub, "advance", github("Lead"))).toEqual({ ok: true });
    expect(check(listedOnGitHub, "advance", github("dev", ["acme/web", "ACME/SRE"]))).toEqual({ ok: true });
    // Listing people replaces the write-access default: an unlisted writer (even an admin) is refused.
    expect(check(listedOnGitHub, "advance", github("dev", ["acme/web"], "admin"))).toEqual({
      ok: false,
      reason:
        "@dev may not advance: only the people and teams listed under permissions.advance in .github/rollout-bot.yml",
    });
  });

  it("leaves a platform the settings name nobody on to its default: write access on GitHub", () => {
    const slackOnly = defaultSettings({ permissions: { pause: { slack_users: ["U_LEAD"] } } });
    expect(check(slackOnly, "pause", github("dev"))).toEqual({ ok: true });
    expect(check(slackOnly, "pause", github("dev", [], "triage"))).toEqual({
      ok: false,
      reason: "@dev may not pause: it needs write access to the repository (has triage)",
    });
    // An empty list names nobody: it is not a list that refuses everyone.
    const empty = defaultSettings({ permissions: { resume: { github_users: [], slack_users: [] } } });
    expect(check(empty, "resume", github("dev", [], "maintain"))).toEqual({ ok: true });
  });

  it("says which permission refused, with the kill switch spelled as people type it", () => {
    expect(
      check(restricted, "rollback_all", { kind: "slack", user: "U_X", team: TEAM, groups: ["S_OTHER"] }),
    ).toEqual({
      ok: false,
      reason:
        "<@U_X> may not rollback all: only the Slack users and groups listed under permissions.rollback_all in .github/rollout-bot.yml",
    });
    expect(check(defaultSettings(), "rollback_all", github("Dev", [], "admin"))).toEqual({
      ok: false,
      reason:
        "rollback all is disabled until permissions.rollback_all lists who may use it in .github/rollout-bot.yml",
    });
  });

  it("lets the bot's own automation use the kill switch even where nobody is named", () => {
    expect(check(defaultSettings(), "rollback_all", { kind: "automation" })).toEqual({ ok: true });
    expect(check(defaultSettings(), "rollback_all", { kind: "local" })).toEqual({ ok: true });
  });

  it("refuses a Slack user the settings do not name, even when they name only GitHub people for it", () => {
    const slackUser: Identity = { kind: "slack", user: "U_ANYONE", team: TEAM, groups: [] };
    expect(check(defaultSettings(), "advance", slackUser).ok).toBe(false);
    expect(check(listedOnGitHub, "advance", slackUser).ok).toBe(false);
  });
});

const PERMISSIONS: Permission[] = ["advance", "rollback", "pause", "resume", "rollback_all"];
const userId = fc.constantFrom("U1", "U2", "U3", "U4");
const groupId = fc.constantFrom("S1", "S2", "S3");
const principals = fc.record({
  slack_users: fc.uniqueArray(userId, { maxLength: 3 }),
  slack_groups: fc.uniqueArray(groupId, { maxLength: 2 }),
  github_users: fc.uniqueArray(fc.constantFrom("alice", "bob"), { maxLength: 2 }),
  github_teams: fc.uniqueArray(fc.constantFrom("acme/a", "acme/b"), { maxLength: 2 }),
});
const settingsArb = fc
  .record({
    advance: fc.option(principals, { nil: undefined }),
    rollback: fc.option(principals, { nil: undefined }),
    pause: fc.option(principals, { nil: undefined }),
    resume: fc.option(principals, { nil: undefined }),
    rollback_all: fc.option(principals, { nil: undefined }),
  })
  .map((permissions) =>
    defaultSettings({
      permissions: Object.fromEntries(Object.entries(permissions).filter(([, v]) => v !== undefined)),
    }),
  );

describe("authorize, for random settings and identities", () => {
  it("a Slack identity not named for a mutating permission is always refused", () => {
    fc.assert(
      fc.property(
        settingsArb,
        userId,
        fc.uniqueArray(groupId),
        fc.constantFrom(...PERMISSIONS),
        (settings, user, groups, need) => {
          const named = settings.permissions[need];
          const listed =
            named !== undefined &&
            (named.slack_users.includes(user) || groups.some((g) => named.slack_groups.includes(g)));
          const verdict = check(settings, need, { kind: "slack", user, team: TEAM, groups });
          expect(verdict.ok).toBe(listed);
        },
      ),
    );
  });

  it("no Slack identity acts or reads in a workspace the repository is not bound to", () => {
    fc.assert(
      fc.property(
        settingsArb,
        userId,
        fc.uniqueArray(groupId),
        fc.constantFrom<Need>("read", ...PERMISSIONS),
        fc.option(fc.constantFrom("T0OTHER", "T0THIRD"), { nil: undefined }),
        (settings, user, groups, need, team) => {
          expect(check(settings, need, { kind: "slack", user, team, groups }).ok).toBe(false);
        },
      ),
    );
  });

  it("a GitHub user without write access acts only where the settings name them", () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.constantFrom("alice", "bob", "eve"),
        fc.constantFrom("read" as const, "triage" as const, "none" as const),
        fc.constantFrom(...PERMISSIONS),
        (settings, login, permission, need) => {
          const named = settings.permissions[need];
          const listed = named !== undefined && named.github_users.length + named.github_teams.length > 0;
          const verdict = check(settings, need, { kind: "github", login, permission, teams: [] });
          // A listed user may act (the settings say so); an unlisted one needs write access.
          if (!listed || !named?.github_users.includes(login)) expect(verdict.ok).toBe(false);
        },
      ),
    );
  });
});
