import type { Octokit } from "@octokit/rest";
import type { Probot } from "probot";
import type { RepoRegistry, RepoStore } from "../../ports.ts";
import { type GitHubAppDeps, repoStore } from "../../surfaces/github/github-deps.ts";
import { statusOf } from "./github-errors.ts";

/**
 * Which installations' repositories hold rollouts, so a rollout can be found by id across repos (Slack,
 * alerts, the scheduler). Filled at start from the installations, kept fresh by webhooks.
 */
export class GitHubRegistry implements RepoRegistry {
  readonly #probot: Probot;
  readonly #deps: GitHubAppDeps;
  readonly #repos = new Map<string, { installationId: number; owner: string; repo: string }>();

  constructor(probot: Probot, deps: GitHubAppDeps) {
    this.#probot = probot;
    this.#deps = deps;
  }

  seen(installationId: number, owner: string, repo: string): void {
    this.#repos.set(`${owner}/${repo}`.toLowerCase(), { installationId, owner, repo });
  }

  /** Walks every installation and keeps the repositories that have `.github/rollouts/`. */
  async refresh(): Promise<number> {
    const app = (await this.#probot.auth()) as unknown as Octokit;
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    for (const installation of installations) {
      const octokit = (await this.#probot.auth(installation.id)) as unknown as Octokit;
      const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
        per_page: 100,
      });
      for (const r of repos) {
        try {
          await octokit.rest.repos.getContent({
            owner: r.owner.login,
            repo: r.name,
            path: ".github/rollouts",
          });
          this.seen(installation.id, r.owner.login, r.name);
        } catch (error) {
          if (statusOf(error) !== 404)
            this.#deps.logger.warn({ repo: r.full_name, status: statusOf(error) }, "cannot list rollouts");
        }
      }
    }
    return this.#repos.size;
  }

  async #store(entry: { installationId: number; owner: string; repo: string }): Promise<RepoStore> {
    const octokit = (await this.#probot.auth(entry.installationId)) as unknown as Octokit;
    return repoStore(this.#deps, octokit, entry.owner, entry.repo);
  }

  /** Runs `fn` with an installation client for each repository with rollouts; one failure stops none. */
  async eachRepo(
    fn: (octokit: Octokit, repo: { owner: string; repo: string }) => Promise<unknown>,
  ): Promise<void> {
    for (const entry of this.#repos.values()) {
      try {
        const octokit = (await this.#probot.auth(entry.installationId)) as unknown as Octokit;
        await fn(octokit, { owner: entry.owner, repo: entry.repo });
      } catch (error) {
        this.#deps.logger.warn(
          {
            repo: `${entry.owner}/${entry.repo}`,
            err: error instanceof Error ? error.message : String(error),
          },
          "repository pass failed",
        );
      }
    }
  }

  async repos(): Promise<RepoStore[]> {
    return Promise.all([...this.#repos.values()].map((entry) => this.#store(entry)));
  }

  async find(name: string): Promise<RepoStore | undefined> {
    const entry = this.#repos.get(name.toLowerCase());
    return entry ? this.#store(entry) : undefined;
  }
}

/** Several registries as one (local checkouts beside GitHub repositories). */
export class CompositeRegistry implements RepoRegistry {
  readonly #parts: RepoRegistry[];
  constructor(parts: RepoRegistry[]) {
    this.#parts = parts;
  }
  async repos(): Promise<RepoStore[]> {
    return (await Promise.all(this.#parts.map((p) => p.repos()))).flat();
  }
  async find(name: string): Promise<RepoStore | undefined> {
    for (const part of this.#parts) {
      const found = await part.find(name);
      if (found) return found;
    }
    return undefined;
  }
}
