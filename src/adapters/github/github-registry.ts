import type { Octokit } from "@octokit/rest";
import type { Probot } from "probot";
import { ROLLOUTS_DIR } from "../../core/config/rollout-file.ts";
import type { Logger, RepoRegistry, RepoStore } from "../../ports.ts";
import { statusOf } from "./github-errors.ts";

/**
 * Which installations' repositories hold rollouts, so a rollout can be found by id across repos (Slack,
 * alerts, the scheduler). Filled at start from the installations, kept fresh by webhooks: a repository
 * removed from an installation (or an uninstalled App) is dropped at once.
 */

interface Entry {
  installationId: number;
  owner: string;
  repo: string;
}

export type InstallationStore = (octokit: Octokit, repo: { owner: string; repo: string }) => RepoStore;

export class GitHubRegistry implements RepoRegistry {
  readonly #probot: Probot;
  readonly #storeFor: InstallationStore;
  readonly #logger: Logger;
  readonly #repos = new Map<string, Entry>();

  constructor(probot: Probot, storeFor: InstallationStore, logger: Logger) {
    this.#probot = probot;
    this.#storeFor = storeFor;
    this.#logger = logger;
  }

  seen(installationId: number, owner: string, repo: string): void {
    this.#repos.set(`${owner}/${repo}`.toLowerCase(), { installationId, owner, repo });
  }

  forget(owner: string, repo: string): void {
    this.#repos.delete(`${owner}/${repo}`.toLowerCase());
  }

  get size(): number {
    return this.#repos.size;
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
          await octokit.rest.repos.getContent({ owner: r.owner.login, repo: r.name, path: ROLLOUTS_DIR });
          this.seen(installation.id, r.owner.login, r.name);
        } catch (error) {
          if (statusOf(error) !== 404)
            this.#logger.warn({ repo: r.full_name, status: statusOf(error) }, "cannot list rollouts");
        }
      }
    }
    return this.#repos.size;
  }

  async #store(entry: Entry): Promise<RepoStore> {
    const octokit = (await this.#probot.auth(entry.installationId)) as unknown as Octokit;
    return this.#storeFor(octokit, { owner: entry.owner, repo: entry.repo });
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
