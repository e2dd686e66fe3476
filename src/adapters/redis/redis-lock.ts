import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { Lock, Logger } from "../../ports.ts";

/**
 * A lease on a key in one Redis: `SET key token NX PX ttl` to take it, a compare-and-delete script
 * to give it back (only the holder's token releases it), a compare-and-pexpire script to renew it
 * every third of the TTL while the work runs. A holder that dies stops renewing: its lease expires
 * after the TTL and the next caller takes it. Callers that find the key held poll until it is free
 * or `waitMs` has passed (then `undefined`, as the Lock port says).
 *
 * Why not a lock library: with a single Redis, Redlock reduces to exactly these three commands, and
 * the `redlock` package has had no stable release since 2022 (v5 is a beta). Correctness does not
 * rest on the lease alone: writes to GitHub are compare-and-swap and dispatches are claimed once in
 * the intent journal, so a holder that lost its lease (a long GC pause) cannot double an effect.
 */

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLockOptions {
  /** Overrides the TTL callers ask for (how long a dead holder blocks others). */
  ttlMs?: number | undefined;
  /** How long a caller waits for a held lease; default: twice the TTL (at least 10 s), so a dead holder's lease is outlived. */
  waitMs?: number | undefined;
  /** Poll interval while waiting (jittered). */
  pollMs?: number;
  logger?: Logger;
}

export class RedisLock implements Lock {
  readonly #redis: Redis;
  readonly #options: RedisLockOptions;

  constructor(redis: Redis, options: RedisLockOptions = {}) {
    this.#redis = redis;
    this.#options = options;
  }

  /** Takes the lease once, without waiting: the token when taken. */
  async tryAcquire(key: string, ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    const ok = await this.#redis.set(`lock:${key}`, token, "PX", ttlMs, "NX");
    return ok === "OK" ? token : undefined;
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 1, `lock:${key}`, token)) === 1;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.eval(RENEW, 1, `lock:${key}`, token, String(ttlMs))) === 1;
  }

  async withLease<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    const ttl = this.#options.ttlMs ?? ttlMs;
    const deadline = Date.now() + (this.#options.waitMs ?? Math.max(2 * ttl, 10_000));
    const poll = this.#options.pollMs ?? Math.max(20, Math.min(250, ttl / 10));
    let token = await this.tryAcquire(key, ttl);
    while (token === undefined) {
      if (Date.now() >= deadline) return undefined;
      await sleep(poll * (0.5 + Math.random()));
      token = await this.tryAcquire(key, ttl);
    }
    const held = token;
    const log = this.#options.logger;
    const renewal = setInterval(
      () => {
        this.renew(key, held, ttl).then(
          (kept) => {
            if (!kept) log?.error({ key }, "lease lost while its work was running");
          },
          (error: unknown) => log?.warn({ key, err: String(error) }, "lease renewal failed"),
        );
      },
      Math.max(10, Math.floor(ttl / 3)),
    );
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await this.release(key, held).catch((error: unknown) => {
        // Not released: it expires after the TTL.
        log?.warn({ key, err: String(error) }, "lease release failed");
      });
    }
  }
}
