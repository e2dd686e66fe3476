import type { Octokit } from "@octokit/rest";
import type { Identity, RepoPermission } from "../../core/commands/authorize.ts";
import type { Settings } from "../../core/config/settings-schema.ts";
import { statusOf } from "./github-errors.ts";

const LEVELS: readonly RepoPermission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/**
 * A user's permission on the repository: the fine-grained role when it is a standard one (`maintain`,
 * `triage` show only there), else the classic permission; `none` when not a collaborator.
 */
export async function repoPermission(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  login: string,
): Promise<RepoPermission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
    const role = LEVELS.find((level) => level === data.role_name);
    return role ?? LEVELS.find((level) => level === data.permission) ?? "none";
  } catch (error) {
    if (statusOf(error) === 404) return "none";
    throw error;
  }
}

/** Who a GitHub user is for authorization: their repository permission and the settings' teams they are in. */
export async function githubIdentity(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  login: string,
  settings: Settings,
): Promise<Identity> {
  const permission = await repoPermission(octokit, repo, login);
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
