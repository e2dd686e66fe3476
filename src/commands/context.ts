import type { MetricsSourceConfig } from "../core/config/schema-parts.ts";
import type { Alert } from "../core/rollout/health.ts";
import type {
  Clock,
  HealthLedger,
  IntentJournal,
  Logger,
  MetricsSource,
  Notifier,
  RepoStore,
} from "../ports.ts";

/** Resolves a rollout's configured metrics source (the rollout's, else the settings', else the default). */
export type MetricsResolver = (config: MetricsSourceConfig | undefined) => MetricsSource | undefined;

/**
 * Everything a use-case needs for one repository, built by `contextFor` (services.ts) and nowhere else,
 * so every surface runs the same commands under the same lease, journal and alert book.
 */
export interface CommandContext {
  store: RepoStore;
  /** Undefined when none is configured: health is then yellow, "no metrics source". */
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
  /** The health last announced per rollout: a change is posted at once (tick.ts). */
  healthLedger?: HealthLedger;
  /** Runs a rollout's transition under its lease, one at a time across processes. */
  lease: <T>(rollout: string, fn: () => Promise<T>) => Promise<T | undefined>;
}
