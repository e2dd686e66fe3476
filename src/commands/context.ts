import type { MetricsSourceRef } from "../core/config/schema-parts.ts";
import type { Alert } from "../core/rollout/health.ts";
import type {
  Clock,
  Dedupe,
  FlagLedger,
  FlagServiceRegistry,
  HealthLedger,
  IntentJournal,
  Logger,
  MetricsSource,
  Notifier,
  RepoStore,
} from "../ports.ts";

/** Resolves the metrics source a repository's rollout names, as the operator defines it for that repository. */
export type MetricsResolver = (
  repo: string,
  source: MetricsSourceRef | undefined,
) => MetricsSource | undefined;

/**
 * Everything a use-case needs for one repository, built by `contextFor` (services.ts) and nowhere else,
 * so every surface runs the same commands under the same lease, journal and alert book.
 */
export interface CommandContext {
  store: RepoStore;
  /**
   * The metrics source a repository's rollout names (the rollout's `metrics.source`, else the settings',
   * else `default`), as the operator defines it and lets that repository use; a refused one answers
   * every query with the reason. Undefined when there is none: health is then yellow, "no metrics source".
   */
  metrics: MetricsResolver;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Who is acting, for the audit trail: a Slack user, a GitHub login, `cli:<user>`, `rollout-bot`. */
  actor: string;
  dryRun: boolean;
  /** Firing alerts of one rollout of this repository, from the alert book (every replica's). */
  alerts: (rollout: string) => Promise<readonly Alert[]>;
  /** Where a transition records what it still has to dispatch after its commit. */
  journal?: IntentJournal;
  /** Claims shared by every replica; a dispatched transition is marked here (dispatch-marks.ts). */
  dedupe?: Dedupe;
  /** Flag services a rollout may name, and what was sent to the write-only ones. */
  flags?: { services: FlagServiceRegistry; ledger: FlagLedger };
  /**
   * Where work that may finish after the command has answered goes (closing the bump PR a rollback made
   * obsolete); awaited in place when absent. The alert inbox answers Alertmanager without it.
   */
  defer?: (work: () => Promise<void>) => void;
  /** The health last announced per rollout: a change is posted at once (tick.ts). */
  healthLedger?: HealthLedger;
  /** Runs a rollout's transition under its lease, one at a time across processes. */
  lease: <T>(rollout: string, fn: () => Promise<T>) => Promise<T | undefined>;
}
