import type { Redis } from "ioredis";
import type { InboxAlert } from "../../core/alerts/alert.ts";
import type { Alert } from "../../core/rollout/health.ts";
import type { AlertBook } from "../../ports.ts";
import { ALERT_TTL_MS, bookEntry } from "../memory/memory-alert-book.ts";

/**
 * The alert book shared by every replica: one hash per repository (`alerts:<repo>`), a field per
 * rollout and alert holding the alert and its expiry. An alert received by one replica changes the
 * health every replica sees. Expired fields are dropped when read; the hash itself expires with its
 * newest entry, so a repository whose alerts all lapsed leaves nothing behind.
 */
export class RedisAlertBook implements AlertBook {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(redis: Redis, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#redis = redis;
    this.#ttlMs = options.ttlMs ?? ALERT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  #key(repo: string): string {
    return `alerts:${repo.toLowerCase()}`;
  }

  async record(repo: string, alert: InboxAlert & { rollout: string }): Promise<void> {
    const field = `${alert.rollout}\u0000${alert.identity}`;
    const entry = bookEntry(alert);
    if (!entry) {
      await this.#redis.hdel(this.#key(repo), field);
      return;
    }
    const value = JSON.stringify({ rollout: alert.rollout, alert: entry, until: this.#now() + this.#ttlMs });
    await this.#redis
      .multi()
      .hset(this.#key(repo), field, value)
      .pexpire(this.#key(repo), this.#ttlMs)
      .exec();
  }

  async firing(repo: string): Promise<ReadonlyMap<string, readonly Alert[]>> {
    const all = await this.#redis.hgetall(this.#key(repo));
    const now = this.#now();
    const result = new Map<string, Alert[]>();
    const expired: string[] = [];
    for (const [field, value] of Object.entries(all)) {
      const entry = parse(value);
      if (!entry || entry.until <= now) {
        expired.push(field);
        continue;
      }
      result.set(entry.rollout, [...(result.get(entry.rollout) ?? []), entry.alert]);
    }
    if (expired.length > 0) await this.#redis.hdel(this.#key(repo), ...expired);
    return result;
  }
}

function parse(value: string): { rollout: string; alert: Alert; until: number } | undefined {
  try {
    const data = JSON.parse(value) as { rollout?: unknown; alert?: Alert; until?: unknown };
    return typeof data.rollout === "string" && typeof data.until === "number" && data.alert
      ? { rollout: data.rollout, alert: data.alert, until: data.until }
      : undefined;
  } catch {
    return undefined;
  }
}
