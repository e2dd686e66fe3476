import { distance } from "fastest-levenshtein";
import { findRollout, type LoadedRepo, type LoadedRollout, loadRepo } from "../../commands/load-repo.ts";
import type { RolloutRef } from "../../core/commands/command.ts";
import { RolloutError } from "../../core/errors.ts";
import type { RepoRegistry, RepoStore } from "../../ports.ts";

/**
 * `<rollout>` in Slack names a rollout in any repository the bot serves: `owner/repo:id` picks the
 * repository; a bare id must be unique across them all. Ambiguity lists the qualified candidates;
 * an unknown id suggests the nearest ones.
 */

export interface ResolvedRollout {
  store: RepoStore;
  repo: LoadedRepo;
  rollout: LoadedRollout;
}

const MAX_LISTED = 15;

export async function resolveRollout(registry: RepoRegistry, ref: RolloutRef): Promise<ResolvedRollout> {
  if (ref.repo !== undefined) {
    const store = await registry.find(ref.repo);
    if (!store) {
      const served = (await registry.repos()).map((s) => s.name);
      throw new RolloutError(
        "NOT_FOUND",
        `rollout-bot does not serve a repository '${ref.repo.slice(0, 140)}'.${listOf(" Served:", served)}`,
      );
    }
    const repo = await loadRepo(store);
    return { store, repo, rollout: findRollout(repo, ref.id) };
  }
  const stores = await registry.repos();
  if (stores.length === 0) throw new RolloutError("NOT_FOUND", "rollout-bot serves no repository yet.");
  const loaded = await Promise.allSettled(stores.map((store) => loadRepo(store)));
  const repos: { store: RepoStore; repo: LoadedRepo }[] = [];
  const unreadable: string[] = [];
  loaded.forEach((result, i) => {
    const store = stores[i]!;
    if (result.status === "fulfilled") repos.push({ store, repo: result.value });
    else unreadable.push(store.name);
  });
  const matches = repos.filter(({ repo }) => repo.rollouts.some((r) => r.id === ref.id));
  const [only, ...others] = matches;
  if (only && others.length === 0) return { ...only, rollout: findRollout(only.repo, ref.id) };
  if (only) {
    const candidates = matches.map(({ repo }) => `${repo.name}:${ref.id}`);
    throw new RolloutError(
      "AMBIGUOUS",
      `'${ref.id}' exists in ${matches.length} repositories: name one of ${candidates.join(", ")}.`,
      { details: candidates },
    );
  }
  // A file by that name that does not parse: say what is wrong with it rather than "not found".
  const broken = repos.find(({ repo }) =>
    repo.invalid.some((f) => f.path.endsWith(`/${ref.id}.yml`) || f.path.endsWith(`/${ref.id}.yaml`)),
  );
  if (broken) findRollout(broken.repo, ref.id);
  throw notFound(ref.id, repos, unreadable);
}

function notFound(id: string, repos: { repo: LoadedRepo }[], unreadable: string[]): RolloutError {
  const qualify = repos.length > 1;
  const known = repos.flatMap(({ repo }) =>
    repo.rollouts.map((r) => ({ id: r.id, shown: qualify ? `${repo.name}:${r.id}` : r.id })),
  );
  const near = known
    .map((k) => ({ ...k, d: distance(k.id, id) }))
    .filter((k) => k.d <= Math.max(2, Math.floor(id.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((k) => `'${k.shown}'`);
  const hint =
    near.length > 0
      ? ` Did you mean ${near.join(" or ")}?`
      : known.length > 0
        ? listOf(
            " Known:",
            known.map((k) => k.shown),
          )
        : " No rollouts in .github/rollouts/ of any served repository.";
  const skipped = unreadable.length > 0 ? listOf(" Could not read:", unreadable) : "";
  return new RolloutError("NOT_FOUND", `no rollout '${id.slice(0, 64)}'.${hint}${skipped}`);
}

function listOf(label: string, items: readonly string[]): string {
  if (items.length === 0) return "";
  const shown = items.slice(0, MAX_LISTED).join(", ");
  return `${label} ${shown}${items.length > MAX_LISTED ? `, and ${items.length - MAX_LISTED} more` : ""}.`;
}
