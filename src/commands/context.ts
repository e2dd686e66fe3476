import type { MetricsSourceRef } from "../core/config/schema-parts.ts";
import type { Alert } from "../core/rollout/health.ts";
import type { Clock, IntentJournal, Logger, MetricsSource, Notifier, RepoStore } from "../ports.ts";

/** Everything a command needs from the shell, injected so commands run the same on every surface. */
export interface CommandContext {
  store: RepoStore;
  /**
   * The metrics source a repository's rollout names (the rollout's `metrics.source`, else the settings',
   * else `default`), as the operator defines it and lets that repository use; a refused one answers
   * every query with the reason. Undefined when there is none: health is then yellow, "no metrics source".
   */
  metrics: (repo: string, source: MetricsSourceRef | undefined) => MetricsSource | undefined;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Who is acting: a Slack user, a GitHub login, `cli:<user>`, or `rollout-bot` for automation. */
  actor: string;
  dryRun: boolean;
  /** Firing alerts per rollout id, from the alert inbox. */
  alerts?: ReadonlyMap<string, readonly Alert[]>;
  /** Where a transition records what it still has to dispatch after its commit (server only). */
  journal?: IntentJournal;
  /** Runs a rollout's transition under its lease, one at a time across processes (server only). */
  lease?: <T>(rollout: string, fn: () => Promise<T>) => Promise<T | undefined>;
}
