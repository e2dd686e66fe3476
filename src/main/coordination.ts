import { MemoryAlertBook } from "../adapters/memory/memory-alert-book.ts";
import { MemoryDedupe, MemoryLock } from "../adapters/memory/memory-coordination.ts";
import { MemoryHealthLedger } from "../adapters/memory/memory-health-ledger.ts";
import { MemoryIntentJournal } from "../adapters/memory/memory-journal.ts";
import { MemorySlackMessageStore } from "../adapters/memory/memory-slack-store.ts";
import { memoryFlagLedger } from "../commands/reconcile-flags.ts";
import { DEFAULT_LEASE_TTL_MS, type Services } from "../commands/services.ts";
import type { Clock, Coordination, Logger } from "../ports.ts";

/**
 * The coordination bundle: `REDIS_URL` set → Redis implementations shared by every replica (leases,
 * dedupe keys, the intent journal, the alert book, Slack message refs, the health last announced, the
 * tick election); unset →
 * the in-memory ones of a single process.
 */

export function memoryCoordination(clock?: Clock): Coordination {
  const now = clock ? () => clock.now().getTime() : undefined;
  return {
    kind: "memory",
    lock: new MemoryLock(),
    dedupe: new MemoryDedupe(now),
    journal: new MemoryIntentJournal(),
    alerts: new MemoryAlertBook(now ? { now } : {}),
    slackStore: new MemorySlackMessageStore(),
    flagLedger: memoryFlagLedger(),
    health: new MemoryHealthLedger(),
    close: async () => {},
  };
}

/** ioredis and the Redis adapters are loaded only when REDIS_URL asks for them. */
export async function coordinationFromEnv(
  env: { REDIS_URL?: string | undefined; LEASE_TTL_MS?: number | undefined },
  logger: Logger,
): Promise<Coordination> {
  if (!env.REDIS_URL) return memoryCoordination();
  const { redisCoordination } = await import("./redis-coordination.ts");
  return redisCoordination(env.REDIS_URL, { leaseTtlMs: env.LEASE_TTL_MS, logger });
}

/** Services for one process without Redis: the CLI, the Action, the demo, and tests. */
export function localServices(parts: {
  metrics: Services["metrics"];
  notifier: Services["notifier"];
  clock: Clock;
  logger: Logger;
  coordination?: Coordination;
  leaseTtlMs?: number;
  slack?: Services["slack"];
  slackTeam?: string | undefined;
  flags?: Services["flags"];
}): Services {
  return {
    metrics: parts.metrics,
    notifier: parts.notifier,
    clock: parts.clock,
    logger: parts.logger,
    coordination: parts.coordination ?? memoryCoordination(parts.clock),
    leaseTtlMs: parts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    slack: parts.slack,
    slackTeam: parts.slackTeam,
    flags: parts.flags,
  };
}
