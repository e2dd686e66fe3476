import type { Redis } from "ioredis";
import type { RunCoordinator } from "node-cron";

/**
 * node-cron's hook for running a scheduled task on one instance only: it asks `shouldRun` with a key
 * naming the task and the scheduled slot (`rollout-evaluation:2026-11-22T10:01:00.000Z`), the same on
 * every replica; the first `SET NX` wins the slot. The key is kept until its TTL rather than deleted
 * on completion, so a replica whose timer fires late cannot run the same slot again.
 */
export class RedisRunCoordinator implements RunCoordinator {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(`cron:${key}`, process.pid.toString(), "PX", ttlMs, "NX")) === "OK";
  }
}
