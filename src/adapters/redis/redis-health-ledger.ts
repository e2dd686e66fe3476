import type { Redis } from "ioredis";
import type { HealthLedger } from "../../ports.ts";

/**
 * The health last announced per rollout, shared by the replicas: GET and SET in one script, so of
 * two replicas seeing the same change exactly one gets the old value back and posts it. Entries
 * expire after 30 days without an evaluation (a finished rollout).
 */
export const HEALTH_LEDGER_TTL_MS = 30 * 24 * 3_600_000;

const SWAP = `local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return old`;

export class RedisHealthLedger implements HealthLedger {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async swap(key: string, signature: string): Promise<string | undefined> {
    const old = (await this.#redis.eval(SWAP, 1, `health:${key}`, signature, HEALTH_LEDGER_TTL_MS)) as
      | string
      | null;
    return old ?? undefined;
  }
}
