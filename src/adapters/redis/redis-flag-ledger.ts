import type { Redis } from "ioredis";
import type { FlagLedger } from "../../ports.ts";

/**
 * What was last sent to write-only flag services (generic HTTP), shared by every replica: one
 * replica's send is not repeated by the others. Kept 30 days; a lost entry costs one repeated send.
 */
export class RedisFlagLedger implements FlagLedger {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.#redis.get(`flag-ledger:${key}`)) ?? undefined;
  }
  async set(key: string, value: string): Promise<void> {
    await this.#redis.set(`flag-ledger:${key}`, value, "EX", 30 * 86_400);
  }
}
