import type { RepoPermission } from "../../core/commands/authorize.ts";
import type { Collaborators } from "../../ports.ts";
import { statusOf } from "./github-errors.ts";
import type { GitHubRepo } from "./github-repo.ts";

const LEVELS: readonly RepoPermission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/** Repository permissions and team memberships, as authorization and approval counting need them. */
export class GitHubCollaborators implements Collaborators {
  readonly #repo: GitHubRepo;

  constructor(repo: GitHubRepo) {
    this.#repo = repo;
  }

  /**
   * The fine-grained role when it is a standard one (`maintain`, `triage` show only there), else the
   * classic permission; `none` when not a collaborator.
   */
  async permission(login: string): Promise<RepoPermission> {
    try {
      const { data } = await this.#repo.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...this.#repo.coordinates,
        username: login,
      });
      const role = LEVELS.find((level) => level === data.role_name);
      return role ?? LEVELS.find((level) => level === data.permission) ?? "none";
    } catch (error) {
      if (statusOf(error) === 404) return "none";
      throw error;
    }
  }

  async teams(login: string, candidates: readonly string[]): Promise<string[]> {
    const teams: string[] = [];
    for (const team of new Set(candidates)) {
      const [org, slug] = team.split("/");
      if (!org || !slug) continue;
      try {
        const { data } = await this.#repo.octokit.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: slug,
          username: login,
        });
        if (data.state === "active") teams.push(team);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    return teams;
  }
}
