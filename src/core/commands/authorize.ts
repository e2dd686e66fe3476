import type { Settings } from "../config/settings-schema.ts";
import { type Command, cleanText } from "./command.ts";

/**
 * Who may do what, in one place for every surface and verb. The settings (`.github/rollout-bot.yml`)
 * name people per permission; on GitHub, write access is the default; a Slack identity gets nothing
 * mutating unless named, and reads only in the workspace the repository is bound to. Invalid settings
 * fail closed. Refusals say why and where to change it; nothing is changed by asking.
 */

export type Permission = "advance" | "rollback" | "pause" | "resume" | "rollback_all" | "force";

/** What a verb needs: reading the rollout, or one of the settings' permissions. */
export type Need = "read" | Permission;

/**
 * The one verb → permission map. `tick` runs the evaluation the schedule runs (it may open a bump PR
 * or roll back on red): a person needs `advance` for it.
 */
export const VERB_NEEDS: Readonly<Record<Command["verb"], Need>> = {
  help: "read",
  status: "read",
  list: "read",
  history: "read",
  validate: "read",
  advance: "advance",
  rollback: "rollback",
  pause: "pause",
  resume: "resume",
  "rollback-all": "rollback_all",
  tick: "advance",
};

export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** Who is asking, as the surface knows them (before the command path looks up what they may do). */
export type Principal =
  | { kind: "slack"; user: string; team: string | undefined; name?: string | undefined }
  | { kind: "github"; login: string }
  /** The CLI or the Action with the user's own checkout or token: whoever holds them can write anyway. */
  | { kind: "local"; user: string }
  /** The bot's own evaluation loop, the authenticated alert inbox, signed webhooks. */
  | { kind: "automation"; name: string };

/** A principal with the facts authorization needs, looked up for the repository concerned. */
export type Identity =
  | { kind: "slack"; user: string; team: string | undefined; groups: readonly string[] }
  | { kind: "github"; login: string; permission: RepoPermission; teams: readonly string[] }
  | { kind: "local" }
  | { kind: "automation" };

export type Authorization = { ok: true } | { ok: false; reason: string };

export interface AuthorizeInput {
  settings: Settings;
  /** Why `.github/rollout-bot.yml` is invalid, when it is: mutations are refused with it. */
  settingsProblem?: string | undefined;
  need: Need;
  identity: Identity;
  /** The Slack workspace (team id) the repository is bound to; undefined: none. */
  workspace?: string | undefined;
}

const WRITE_OR_ABOVE: ReadonlySet<RepoPermission> = new Set(["admin", "maintain", "write"]);

/** Write access or above: what changing a rollout, or approving its bump PR, takes on GitHub. */
export function canWrite(permission: RepoPermission): boolean {
  return WRITE_OR_ABOVE.has(permission);
}

/** The audit trail's name for a principal: `slack:alice (U012AB3CD)`, a GitHub login, `cli:alice`. */
export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case "slack": {
      const name = cleanText(principal.name ?? "")
        .replace(/[()\s]/g, "")
        .slice(0, 80);
      const id = cleanText(principal.user).slice(0, 32);
      return name === "" ? `slack:${id}` : `slack:${name} (${id})`;
    }
    case "github":
      return principal.login;
    case "local":
      return principal.user;
    case "automation":
      return principal.name;
  }
}

/** The Slack user groups and GitHub teams the settings name anywhere: the only ones worth looking up. */
export function namedGroups(settings: Settings): { slack: string[]; github: string[] } {
  const all = Object.values(settings.permissions);
  return {
    slack: [...new Set(all.flatMap((p) => p?.slack_groups ?? []))],
    github: [...new Set(all.flatMap((p) => p?.github_teams ?? []))],
  };
}

const SETTINGS_FILE = ".github/rollout-bot.yml";

function listedOnSlack(
  settings: Settings,
  permission: Permission,
  identity: { user: string; groups: readonly string[] },
) {
  const principals = settings.permissions[permission];
  return (
    principals !== undefined &&
    (principals.slack_users.includes(identity.user) ||
      identity.groups.some((g) => principals.slack_groups.includes(g)))
  );
}

function githubRule(settings: Settings, permission: Permission) {
  const principals = settings.permissions[permission];
  const named = principals ? principals.github_users.length + principals.github_teams.length > 0 : false;
  return { principals, named };
}

export function authorize(input: AuthorizeInput): Authorization {
  const { settings, need, identity } = input;
  if (identity.kind === "local" || identity.kind === "automation") return { ok: true };
  const verb = need === "read" ? "read this rollout" : need.replace("_", " ");
  if (identity.kind === "slack") {
    const who = `<@${identity.user}>`;
    if (input.workspace === undefined || identity.team !== input.workspace) {
      return {
        ok: false,
        reason: `${who} may not ${verb}: this Slack workspace is not bound to the repository (slack.workspace in ${SETTINGS_FILE}, or the server's SLACK_TEAM_ID)`,
      };
    }
    if (need === "read") return { ok: true };
    if (input.settingsProblem !== undefined) {
      return {
        ok: false,
        reason: `${who} may not ${verb}: ${SETTINGS_FILE} is invalid (${input.settingsProblem})`,
      };
    }
    if (listedOnSlack(settings, need, identity)) return { ok: true };
    return {
      ok: false,
      reason: `${who} may not ${verb}: only the Slack users and groups listed under permissions.${need} in ${SETTINGS_FILE}`,
    };
  }
  const who = `@${identity.login}`;
  if (need === "read") {
    return identity.permission === "none"
      ? { ok: false, reason: `${who} may not ${verb}: it needs access to the repository` }
      : { ok: true };
  }
  if (input.settingsProblem !== undefined && !(need === "rollback" && canWrite(identity.permission))) {
    return {
      ok: false,
      reason: `${who} may not ${verb}: ${SETTINGS_FILE} is invalid (${input.settingsProblem}); only a rollback by a writer is allowed until it is fixed`,
    };
  }
  const { principals, named } = githubRule(settings, need);
  if (named && principals) {
    const login = identity.login.toLowerCase();
    const teams = identity.teams.map((t) => t.toLowerCase());
    const listed =
      principals.github_users.some((u) => u.toLowerCase() === login) ||
      principals.github_teams.some((t) => teams.includes(t.toLowerCase()));
    if (listed && (input.settingsProblem === undefined || canWrite(identity.permission))) return { ok: true };
    return {
      ok: false,
      reason: `${who} may not ${verb}: only the people and teams listed under permissions.${need} in ${SETTINGS_FILE}`,
    };
  }
  // The kill switch, and forcing past the gate, are never open by default.
  if (need === "rollback_all" || need === "force") {
    const what = need === "force" ? "forcing an advance (--force)" : "rollback all";
    return {
      ok: false,
      reason: `${what} is disabled until permissions.${need} lists who may use it in ${SETTINGS_FILE}`,
    };
  }
  if (!canWrite(identity.permission)) {
    return {
      ok: false,
      reason: `${who} may not ${verb}: it needs write access to the repository (has ${identity.permission})`,
    };
  }
  return { ok: true };
}
