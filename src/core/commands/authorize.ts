import type { Principals, Settings } from "../config/settings-schema.ts";

/** Who may do what, from `.github/rollout-bot.yml`. Refusals say why; nothing is changed by asking. */

export type Permission = "advance" | "rollback" | "pause" | "resume" | "rollback_all";

export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export type Identity =
  | { kind: "slack"; user: string; groups: readonly string[] }
  | { kind: "github"; login: string; permission: RepoPermission; teams: readonly string[] }
  /** The CLI on a checkout: whoever can write the files is trusted, as git itself does. */
  | { kind: "local" }
  /** The bot's own evaluation loop and the authenticated alert inbox. */
  | { kind: "automation" };

export type Authorization = { ok: true } | { ok: false; reason: string };

const WRITE_OR_ABOVE: ReadonlySet<RepoPermission> = new Set(["admin", "maintain", "write"]);

/** Write access or above: what changing a rollout, or approving its bump PR, takes on GitHub. */
export function canWrite(permission: RepoPermission): boolean {
  return WRITE_OR_ABOVE.has(permission);
}

function listed(principals: Principals, identity: Identity): boolean {
  if (identity.kind === "slack") {
    return (
      principals.slack_users.includes(identity.user) ||
      identity.groups.some((g) => principals.slack_groups.includes(g))
    );
  }
  if (identity.kind === "github") {
    const login = identity.login.toLowerCase();
    const teams = identity.teams.map((t) => t.toLowerCase());
    return (
      principals.github_users.some((u) => u.toLowerCase() === login) ||
      principals.github_teams.some((t) => teams.includes(t.toLowerCase()))
    );
  }
  return true;
}

function configuredFor(principals: Principals, kind: "slack" | "github"): boolean {
  return kind === "slack"
    ? principals.slack_users.length + principals.slack_groups.length > 0
    : principals.github_users.length + principals.github_teams.length > 0;
}

export function authorize(settings: Settings, permission: Permission, identity: Identity): Authorization {
  if (identity.kind === "local" || identity.kind === "automation") return { ok: true };
  const verb = permission.replace("_", " ");
  const principals = settings.permissions[permission];
  const who = identity.kind === "slack" ? `<@${identity.user}>` : `@${identity.login}`;
  if (principals && configuredFor(principals, identity.kind)) {
    if (listed(principals, identity)) return { ok: true };
    return {
      ok: false,
      reason: `${who} may not ${verb}: only the people and groups listed under permissions.${permission} in .github/rollout-bot.yml`,
    };
  }
  // The kill switch is never open by default.
  if (permission === "rollback_all") {
    return {
      ok: false,
      reason: `rollback all is disabled until permissions.rollback_all lists who may use it in .github/rollout-bot.yml`,
    };
  }
  if (identity.kind === "github" && !canWrite(identity.permission)) {
    return {
      ok: false,
      reason: `${who} may not ${verb}: it needs write access to the repository (has ${identity.permission})`,
    };
  }
  return { ok: true };
}
