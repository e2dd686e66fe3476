import type { Octokit } from "@octokit/rest";
import { EtagCache } from "../../adapters/github/etag-cache.ts";
import { GitHubRepoStore } from "../../adapters/github/github-repo-store.ts";
import { AlertBook } from "../../commands/alert-book.ts";
import type { CommandContext } from "../../commands/context.ts";
import type { Clock, Dedupe, IntentJournal, Lock, Logger, Notifier } from "../../ports.ts";

/** What the GitHub App's handlers share; built once by the server. */
export interface GitHubAppDeps {
  metrics: CommandContext["metrics"];
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  etags: EtagCache;
  lock: Lock;
  dedupe: Dedupe;
  /** Firing alerts for a repository, from the alert inbox. */
  alertsFor?: (repo: string) => CommandContext["alerts"];
  /** Told when a repository is seen to hold rollouts (or to have lost them). */
  onRepoSeen?: (installationId: number, owner: string, repo: string) => void;
  /** The server's intent journal: a comment-driven rollback killed mid-way is finished by the next pass. */
  journal?: IntentJournal;
  /** TTL of the per-rollout lease that every transition takes (default 60 s). */
  leaseTtlMs?: number;
}

export function repoStore(
  deps: GitHubAppDeps,
  octokit: Octokit,
  owner: string,
  repo: string,
  defaultBranch?: string,
) {
  return new GitHubRepoStore(octokit, {
    owner,
    repo,
    etags: deps.etags,
    ...(defaultBranch ? { defaultBranch } : {}),
  });
}

export function commandContext(deps: GitHubAppDeps, store: GitHubRepoStore, actor: string): CommandContext {
  const ctx: CommandContext = {
    store,
    metrics: deps.metrics,
    notifier: deps.notifier,
    clock: deps.clock,
    logger: deps.logger.child({ repo: store.name, actor }),
    actor,
    dryRun: false,
  };
  const alerts = deps.alertsFor?.(store.name);
  if (alerts) ctx.alerts = alerts;
  if (deps.journal) ctx.journal = deps.journal;
  // The same lease as the scheduler and the alert inbox: one transition per rollout across replicas.
  ctx.lease = (rollout, fn) =>
    deps.lock.withLease(`rollout:${AlertBook.scope(store.name, rollout)}`, deps.leaseTtlMs ?? 60_000, fn);
  return ctx;
}

export const newEtagCache = () => new EtagCache();
