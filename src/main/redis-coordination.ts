import { RedisAlertBook } from "../adapters/redis/redis-alert-book.ts";
import { connectRedis } from "../adapters/redis/redis-connection.ts";
import { RedisDedupe } from "../adapters/redis/redis-dedupe.ts";
import { RedisFlagLedger } from "../adapters/redis/redis-flag-ledger.ts";
import { RedisHealthLedger } from "../adapters/redis/redis-health-ledger.ts";
import { RedisIntentJournal } from "../adapters/redis/redis-journal.ts";
import { RedisLock } from "../adapters/redis/redis-lock.ts";
import { RedisRunCoordinator } from "../adapters/redis/redis-run-coordinator.ts";
import { RedisSlackMessageStore } from "../adapters/redis/redis-slack-store.ts";
import type { Coordination, Logger } from "../ports.ts";

/** The Redis coordination bundle (REDIS_URL), in its own module: ioredis is loaded only with it. */

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
