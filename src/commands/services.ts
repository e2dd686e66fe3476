import type { Alert } from "../core/rollout/health.ts";
import type { Clock, Coordination, FlagServiceRegistry, Logger, Notifier, SlackDirectory } from "../ports.ts";
import type { CommandContext, MetricsResolver } from "./context.ts";

/**
 * What every command shares in one process, built once by the composition root (server, CLI, Action,
 * demo): the ports and the coordination bundle. `contextFor` is the one place a command context is made.
 */
export interface Services {
  metrics: MetricsResolver;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  coordination: Coordination;
  /** How long a dead holder's per-rollout lease blocks the others (renewed while work runs). */
  leaseTtlMs: number;
  /** Slack user groups, for `slack_groups` permissions; undefined without Slack. */
  slack?: SlackDirectory | undefined;
  /** The one Slack workspace the server serves (`SLACK_TEAM_ID`): every repository is bound to it. */
  slackTeam?: string | undefined;
  /** The flag services the operator configured (`FLAG_TARGETS`); undefined: none. */
  flags?: FlagServiceRegistry | undefined;
}

export const DEFAULT_LEASE_TTL_MS = 60_000;

/** The per-rollout lease key: transitions from alerts, the scheduler, Slack and GitHub never interleave. */
export function leaseKey(repo: string, rollout: string): string {
  return `rollout:${repo.toLowerCase()}:${rollout}`;
}

export function contextFor(
  services: Services,
  store: CommandContext["store"],
  actor: string,
  options: { dryRun?: boolean } = {},
): CommandContext {
  const { coordination } = services;
  let firing: Promise<ReadonlyMap<string, readonly Alert[]>> | undefined;
  return {
    store,
    metrics: services.metrics,
    notifier: services.notifier,
    clock: services.clock,
    logger: services.logger.child({ repo: store.name, actor }),
    actor,
    dryRun: options.dryRun ?? false,
    // Read once per context (one command, or one repository's pass), from the book every replica writes.
    alerts: async (rollout) => {
      firing ??= coordination.alerts.firing(store.name);
      return (await firing).get(rollout) ?? [];
    },
    journal: coordination.journal,
    dedupe: coordination.dedupe,
    ...(services.flags ? { flags: { services: services.flags, ledger: coordination.flagLedger } } : {}),
    healthLedger: coordination.health,
    lease: (rollout, fn) =>
      coordination.lock.withLease(leaseKey(store.name, rollout), services.leaseTtlMs, fn),
  };
}
