import type { Octokit } from "@octokit/rest";
import { statusOf } from "../../adapters/github/github-errors.ts";
import type { Identity, RepoPermission } from "../../core/authorize.ts";
import type { Settings } from "../../core/settings-schema.ts";

/** Who a GitHub user is for authorization: their repository permission and the settings' teams they are in. */
export async function githubIdentity(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  login: string,
  settings: Settings,
): Promise<Identity> {
  let permission: RepoPermission = "none";
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
    permission = (data.role_name as RepoPermission | undefined) ?? (data.permission as RepoPermission);
    if (!["admin", "maintain", "write", "triage", "read", "none"].includes(permission))
      permission = data.permission as RepoPermission;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  // Only the teams the settings name matter: ask about those, not every team of the org.
  const named = new Set(Object.values(settings.permissions).flatMap((p) => p?.github_teams ?? []));
  const teams: string[] = [];
  for (const team of named) {
    const [org, slug] = team.split("/");
    if (!org || !slug) continue;
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: login,
      });
      if (data.state === "active") teams.push(team);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  return { kind: "github", login, permission, teams };
}
