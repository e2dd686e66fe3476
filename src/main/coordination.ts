import { MemoryAlertBook } from "../adapters/memory/memory-alert-book.ts";
import { MemoryDedupe, MemoryLock } from "../adapters/memory/memory-coordination.ts";
import { MemoryHealthLedger } from "../adapters/memory/memory-health-ledger.ts";
import { MemoryIntentJournal } from "../adapters/memory/memory-journal.ts";
import { MemorySlackMessageStore } from "../adapters/memory/memory-slack-store.ts";
import { RedisAlertBook } from "../adapters/redis/redis-alert-book.ts";
import { connectRedis } from "../adapters/redis/redis-connection.ts";
import { RedisDedupe } from "../adapters/redis/redis-dedupe.ts";
import { RedisFlagLedger } from "../adapters/redis/redis-flag-ledger.ts";
import { RedisHealthLedger } from "../adapters/redis/redis-health-ledger.ts";
import { RedisIntentJournal } from "../adapters/redis/redis-journal.ts";
import { RedisLock } from "../adapters/redis/redis-lock.ts";
import { RedisRunCoordinator } from "../adapters/redis/redis-run-coordinator.ts";
import { RedisSlackMessageStore } from "../adapters/redis/redis-slack-store.ts";
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

export function redisCoordination(
  url: string,
  options: { leaseTtlMs?: number | undefined; logger: Logger },
): Coordination {
  const redis = connectRedis(url);
  let lastError = "";
  redis.on("error", (error: Error) => {
    // ioredis emits on every failed reconnect: log a change of error, not each attempt.
    if (error.message === lastError) return;
    lastError = error.message;
    options.logger.error({ err: error.message }, "redis connection error");
  });
  redis.on("ready", () => {
    lastError = "";
  });
  return {
    kind: "redis",
    lock: new RedisLock(redis, { ttlMs: options.leaseTtlMs, logger: options.logger }),
    dedupe: new RedisDedupe(redis),
    journal: new RedisIntentJournal(redis),
    alerts: new RedisAlertBook(redis),
    slackStore: new RedisSlackMessageStore(redis),
    flagLedger: new RedisFlagLedger(redis),
    health: new RedisHealthLedger(redis),
    runCoordinator: new RedisRunCoordinator(redis),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function coordinationFromEnv(
  env: { REDIS_URL?: string | undefined; LEASE_TTL_MS?: number | undefined },
  logger: Logger,
): Coordination {
  return env.REDIS_URL
    ? redisCoordination(env.REDIS_URL, { leaseTtlMs: env.LEASE_TTL_MS, logger })
    : memoryCoordination();
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
