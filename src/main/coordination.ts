import type { RunCoordinator } from "node-cron";
import { MemoryDedupe, MemoryLock } from "../adapters/memory/memory-coordination.ts";
import { MemoryIntentJournal } from "../adapters/memory/memory-journal.ts";
import { connectRedis } from "../adapters/redis/redis-connection.ts";
import { RedisDedupe } from "../adapters/redis/redis-dedupe.ts";
import { RedisIntentJournal } from "../adapters/redis/redis-journal.ts";
import { RedisLock } from "../adapters/redis/redis-lock.ts";
import { RedisRunCoordinator } from "../adapters/redis/redis-run-coordinator.ts";
import { RedisSlackMessageStore } from "../adapters/redis/redis-slack-store.ts";
import { MemorySlackMessageStore, type SlackMessageStore } from "../adapters/slack/slack-notifier.ts";
import type { Dedupe, IntentJournal, Lock, Logger } from "../ports.ts";

/**
 * Everything replicas must agree on, as one bundle: `REDIS_URL` set → Redis implementations shared by
 * every replica; unset → the in-memory ones of a single process. The commands are the same code.
 */
export interface Coordination {
  kind: "redis" | "memory";
  lock: Lock;
  dedupe: Dedupe;
  journal: IntentJournal;
  slackStore: SlackMessageStore;
  /** node-cron's per-slot election; undefined in a single process (every tick runs). */
  runCoordinator?: RunCoordinator;
  close(): Promise<void>;
}

export function memoryCoordination(): Coordination {
  return {
    kind: "memory",
    lock: new MemoryLock(),
    dedupe: new MemoryDedupe(),
    journal: new MemoryIntentJournal(),
    slackStore: new MemorySlackMessageStore(),
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
    slackStore: new RedisSlackMessageStore(redis),
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
