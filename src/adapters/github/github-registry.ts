import type { Octokit } from "@octokit/rest";
import type { Probot } from "probot";
import { isFileOfRollout, ROLLOUTS_DIR } from "../../core/config/rollout-file.ts";
import type { Logger, RepoRegistry, RepoStore } from "../../ports.ts";
import { statusOf } from "./github-errors.ts";
import type { RepoSnapshots } from "./repo-snapshots.ts";

/**
 * Which installations' repositories hold rollouts, so a rollout can be found by id across repos (Slack,
 * alerts, the scheduler). Filled at start from the installations, kept fresh by webhooks: a repository
 * removed from an installation (or an uninstalled App) is dropped at once. Each entry keeps the
 * default branch the installation's repository list (or the webhook) gave, and one store, built on
 * first use: no `GET /repos/{owner}/{repo}` and no new client per alert or per pass.
 */

interface Entry {
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch?: string | undefined;
  store?: Promise<RepoStore> | undefined;
}

export type InstallationStore = (
  octokit: Octokit,
  repo: { owner: string; repo: string; defaultBranch?: string | undefined },
) => RepoStore;

/** Repositories looked at once when filling the registry, and when an alert's rollout is looked for. */
const CONCURRENCY = 8;

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export class GitHubRegistry implements RepoRegistry {
  readonly #probot: Probot;
  readonly #storeFor: InstallationStore;
  readonly #logger: Logger;
  readonly #snapshots: RepoSnapshots | undefined;
  readonly #onSize: ((repos: number) => void) | undefined;
  readonly #repos = new Map<string, Entry>();
  /**
   * One client per installation, shared by its repositories' stores: a Probot client (its plugins, its
   * REST methods) weighs ~0.1 MB, and its auth strategy mints and refreshes the installation token per
   * request anyway — a client per repository held ~100 MB at 1,000 repositories.
   */
  readonly #clients = new Map<number, Promise<Octokit>>();

  constructor(
    probot: Probot,
    storeFor: InstallationStore,
    logger: Logger,
    options: { snapshots?: RepoSnapshots; onSize?: (repos: number) => void } = {},
  ) {
    this.#probot = probot;
    this.#storeFor = storeFor;
    this.#logger = logger;
    this.#snapshots = options.snapshots;
    this.#onSize = options.onSize;
  }

  seen(installationId: number, owner: string, repo: string, defaultBranch?: string): void {
    const key = `${owner}/${repo}`.toLowerCase();
    const known = this.#repos.get(key);
    if (
      known &&
      known.installationId === installationId &&
      (!defaultBranch || known.defaultBranch === defaultBranch)
    )
      return;
    this.#repos.set(key, {
      installationId,
      owner,
      repo,
      defaultBranch: defaultBranch ?? known?.defaultBranch,
    });
    this.#onSize?.(this.#repos.size);
  }

  forget(owner: string, repo: string): void {
    this.#repos.delete(`${owner}/${repo}`.toLowerCase());
    this.#snapshots?.forget(`${owner}/${repo}`);
  }

  /** A push changed these paths of the repository's default branch. */
  changed(owner: string, repo: string, paths: readonly string[]): void {
    if (paths.some((p) => p.startsWith(".github/"))) this.#snapshots?.invalidate(`${owner}/${repo}`);
  }

  get size(): number {
    return this.#repos.size;
  }

  /** Walks every installation and keeps the repositories that have `.github/rollouts/`. */
  async refresh(): Promise<number> {
    const app = (await this.#probot.auth()) as unknown as Octokit;
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    for (const installation of installations) {
      const octokit = await this.#client(installation.id);
      const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
        per_page: 100,
      });
      await eachLimited(repos, CONCURRENCY, async (r) => {
        try {
          await octokit.rest.repos.getContent({ owner: r.owner.login, repo: r.name, path: ROLLOUTS_DIR });
          this.seen(installation.id, r.owner.login, r.name, r.default_branch);
        } catch (error) {
          if (statusOf(error) !== 404)
            this.#logger.warn({ repo: r.full_name, status: statusOf(error) }, "cannot list rollouts");
        }
      });
    }
    return this.#repos.size;
  }

  #client(installationId: number): Promise<Octokit> {
    let client = this.#clients.get(installationId);
    if (!client) {
      client = this.#probot.auth(installationId) as unknown as Promise<Octokit>;
      this.#clients.set(installationId, client);
      client.catch(() => this.#clients.delete(installationId));
    }
    return client;
  }

  #store(entry: Entry): Promise<RepoStore> {
    entry.store ??= (async () => {
      const octokit = await this.#client(entry.installationId);
      return this.#storeFor(octokit, {
        owner: entry.owner,
        repo: entry.repo,
        defaultBranch: entry.defaultBranch,
      });
    })();
    entry.store.catch(() => {
      entry.store = undefined;
    });
    return entry.store;
  }

  async repos(): Promise<RepoStore[]> {
    return Promise.all([...this.#repos.values()].map((entry) => this.#store(entry)));
  }

  async find(name: string): Promise<RepoStore | undefined> {
    const entry = this.#repos.get(name.toLowerCase());
    return entry ? this.#store(entry) : undefined;
  }

  /**
   * The repositories holding rollout `id`, by the index of what was last read of each (every pass
   * reads every repository); repositories never read yet are listed now, a few at a time.
   */
  async locate(id: string): Promise<RepoStore[]> {
    const found: RepoStore[] = [];
    const unknown: Entry[] = [];
    for (const entry of this.#repos.values()) {
      const ids = this.#snapshots?.rolloutIds(`${entry.owner}/${entry.repo}`);
      if (ids === undefined) unknown.push(entry);
      else if (ids.includes(id)) found.push(await this.#store(entry));
    }
    await eachLimited(unknown, CONCURRENCY, async (entry) => {
      const store = await this.#store(entry);
      const files = await store.listRolloutFiles().catch(() => []);
      if (files.some((f) => isFileOfRollout(f.path, id))) found.push(store);
    });
    return found;
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
  async locate(id: string): Promise<RepoStore[]> {
    return (await Promise.all(this.#parts.map((p) => locateIn(p, id)))).flat();
  }
}

/** A registry's repositories holding rollout `id`: its index when it has one, else each one listed. */
export async function locateIn(registry: RepoRegistry, id: string): Promise<RepoStore[]> {
  if (registry.locate) return registry.locate(id);
  const stores = await registry.repos();
  const files = await Promise.all(stores.map((s) => s.listRolloutFiles().catch(() => [])));
  return stores.filter((_, i) => files[i]!.some((f) => isFileOfRollout(f.path, id)));
}
