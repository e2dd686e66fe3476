import type { RolloutRef } from "../core/commands/command.ts";
import { nearest } from "../core/did-you-mean.ts";
import { RolloutError } from "../core/errors.ts";
import type { RepoRegistry, RepoStore } from "../ports.ts";
import { findRollout, invalidFileError, type LoadedRepo, type LoadedRollout, loadRepo } from "./load-repo.ts";

/**
 * Where a command's `<rollout>` lives. In one repository (a comment, the CLI, the Action) the id is
 * looked up there; across a registry (Slack) `owner/repo:id` picks the repository and a bare id must be
 * unique among the repositories the asker may see — the others are, for them, not served at all.
 */

export type Scope = RepoStore | RepoRegistry;

export function isRegistry(scope: Scope): scope is RepoRegistry {
  return typeof (scope as RepoRegistry).repos === "function";
}

export interface Target {
  store: RepoStore;
  repo: LoadedRepo;
  rollout: LoadedRollout;
}

const MAX_LISTED = 15;

export async function resolveTarget(
  scope: Scope,
  ref: RolloutRef,
  visible: (store: RepoStore, repo: LoadedRepo) => Promise<boolean>,
): Promise<Target> {
  if (!isRegistry(scope)) {
    // Where the store knows its `owner/repo`, a qualified ref must name it.
    if (
      ref.repo !== undefined &&
      scope.name.includes("/") &&
      ref.repo.toLowerCase() !== scope.name.toLowerCase()
    )
      throw new RolloutError("NOT_FOUND", `${ref.repo}:${ref.id} is not in ${scope.name}`);
    const repo = await loadRepo(scope);
    return { store: scope, repo, rollout: findRollout(repo, ref.id) };
  }
  if (ref.repo !== undefined) {
    const store = await scope.find(ref.repo);
    const repo = store ? await loadRepo(store) : undefined;
    if (!store || !repo || !(await visible(store, repo))) {
      throw new RolloutError(
        "NOT_FOUND",
        `rollout-bot does not serve a repository '${ref.repo.slice(0, 140)}' for you.`,
      );
    }
    return { store, repo, rollout: findRollout(repo, ref.id) };
  }
  const stores = await scope.repos();
  const loaded = await Promise.allSettled(stores.map((store) => loadRepo(store)));
  const repos: { store: RepoStore; repo: LoadedRepo }[] = [];
  const unreadable: string[] = [];
  for (const [i, result] of loaded.entries()) {
    const store = stores[i]!;
    if (result.status === "rejected") unreadable.push(store.name);
    else if (await visible(store, result.value)) repos.push({ store, repo: result.value });
  }
  if (repos.length === 0 && unreadable.length === 0)
    throw new RolloutError(
      "NOT_FOUND",
      "rollout-bot serves no repository you may see (a Slack workspace sees the repositories bound to it: slack.workspace in .github/rollout-bot.yml, or the server's SLACK_TEAM_ID).",
    );
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
  for (const { repo } of repos) {
    const broken = invalidFileError(repo, ref.id);
    if (broken) throw broken;
  }
  throw notFound(ref.id, repos, unreadable);
}

function notFound(id: string, repos: { repo: LoadedRepo }[], unreadable: string[]): RolloutError {
  const qualify = repos.length > 1;
  const known = repos.flatMap(({ repo }) =>
    repo.rollouts.map((r) => ({ id: r.id, shown: qualify ? `${repo.name}:${r.id}` : r.id })),
  );
  const near = nearest(id, known, (k) => k.id)
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
