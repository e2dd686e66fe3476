import type { Dedupe, Lock } from "../../ports.ts";

/** Single-process implementations of the coordination ports (Redis replaces them when REDIS_URL is set). */

export class MemoryDedupe implements Dedupe {
  readonly #expires = new Map<string, number>();
  readonly #now: () => number;
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const until = this.#expires.get(key);
    if (until !== undefined && until > now) return false;
    this.#expires.set(key, now + ttlMs);
    if (this.#expires.size > 10_000) this.#sweep(now);
    return true;
  }
  async release(key: string): Promise<void> {
    this.#expires.delete(key);
  }
  async keep(key: string, ttlMs: number): Promise<void> {
    this.#expires.set(key, this.#now() + ttlMs);
  }
  #sweep(now: number): void {
    for (const [key, until] of this.#expires) if (until <= now) this.#expires.delete(key);
  }
}

/** Serialises work per key inside one process; the TTL is moot here (a dead process holds nothing). */
export class MemoryLock implements Lock {
  readonly #tails = new Map<string, Promise<unknown>>();
  async withLease<T>(key: string, _ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
