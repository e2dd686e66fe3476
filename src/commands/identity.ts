import { type Identity, type Need, namedGroups, type Principal } from "../core/commands/authorize.ts";
import type { Settings } from "../core/config/settings-schema.ts";
import type { RepoStore } from "../ports.ts";
import type { Services } from "./services.ts";

/**
 * A principal's facts for one repository, looked up only as far as the rule needs them: the GitHub
 * permission and the teams the settings name; the Slack user groups the settings name (mutations only).
 */
export async function identify(
  services: Pick<Services, "slack">,
  store: RepoStore,
  principal: Principal,
  settings: Settings,
  need: Need,
): Promise<Identity> {
  switch (principal.kind) {
    case "local":
    case "automation":
      return { kind: principal.kind };
    case "github": {
      const people = store.collaborators;
      if (!people) return { kind: "github", login: principal.login, permission: "none", teams: [] };
      const named = namedGroups(settings).github;
      const [permission, teams] = await Promise.all([
        people.permission(principal.login),
        named.length > 0 && need !== "read" ? people.teams(principal.login, named) : Promise.resolve([]),
      ]);
      return { kind: "github", login: principal.login, permission, teams };
    }
    case "slack": {
      const named = need === "read" ? [] : (settings.permissions[need]?.slack_groups ?? []);
      const groups =
        named.length > 0 && services.slack ? await services.slack.groupsOf(principal.user, named) : [];
      return { kind: "slack", user: principal.user, team: principal.team, groups };
    }
  }
}

/** The Slack workspace a repository is bound to: its settings' `slack.workspace`, else the server's one workspace. */
export function workspaceOf(services: Pick<Services, "slackTeam">, settings: Settings): string | undefined {
  return settings.slack?.workspace ?? services.slackTeam;
}
