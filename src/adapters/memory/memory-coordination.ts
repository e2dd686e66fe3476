import type { Dedupe, Lock } from "../../ports.ts";

/** Single-process implementations of the coordination ports (Redis replaces them when REDIS_URL is set). */

/**
 * Keys with an expiry, bounded: expired keys leave in O(1) amortised per claim, and past `maxKeys`
 * the oldest claim is evicted. Each key sits in the queue of its TTL class (TTLs rounded to a power of
 * two), in claim order: within a class expiries come in (nearly) that order, so a sweep pops expired
 * heads and stops at the first live one instead of scanning every key (which, past 10,000 keys, made
 * every claim O(n)). Whether a key is claimed is decided by its own expiry, never by the sweep.
 */
export class MemoryDedupe implements Dedupe {
  readonly #expires = new Map<string, number>();
  readonly #classes = new Map<number, Map<string, number>>();
  readonly #now: () => number;
  readonly #maxKeys: number;
  /** Entries in the class queues, stale ones (released, re-set, evicted) included. */
  #queued = 0;
  /** Keys evicted at the cap (a sign of abuse or of a cap too small). */
  evicted = 0;

  constructor(now: () => number = Date.now, options: { maxKeys?: number } = {}) {
    this.#now = now;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  get size(): number {
    return this.#expires.size;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    this.#sweep(now);
    const until = this.#expires.get(key);
    if (until !== undefined && until > now) return false;
    this.#set(key, now + ttlMs, ttlMs);
    return true;
  }

  async release(key: string): Promise<void> {
    // Its queue entry goes stale and is dropped when the sweep reaches it.
    this.#expires.delete(key);
  }

  async keep(key: string, ttlMs: number): Promise<void> {
    const now = this.#now();
    this.#sweep(now);
    this.#set(key, now + ttlMs, ttlMs);
  }

  #set(key: string, until: number, ttlMs: number): void {
    // Delete first: a re-set key moves to the end of the claim order (eviction takes the oldest).
    this.#expires.delete(key);
    this.#expires.set(key, until);
    const ttlClass = 2 ** Math.ceil(Math.log2(Math.max(ttlMs, 1)));
    let queue = this.#classes.get(ttlClass);
    if (!queue) {
      queue = new Map();
      this.#classes.set(ttlClass, queue);
    }
    if (!queue.delete(key)) this.#queued++;
    queue.set(key, until);
    // Released keys leave stale entries behind live ones: rebuild when they outnumber the keys.
    if (this.#queued > 2 * this.#maxKeys) this.#compact();
    while (this.#expires.size > this.#maxKeys) {
      const oldest = this.#expires.keys().next().value as string;
      this.#expires.delete(oldest);
      this.evicted++;
    }
  }

  /** Pops expired (or stale) heads of each class; each entry is popped once: O(1) amortised. */
  #sweep(now: number): void {
    for (const [ttlClass, queue] of this.#classes) {
      for (const [key, until] of queue) {
        const current = this.#expires.get(key);
        if (current === until && until > now) break;
        queue.delete(key);
        this.#queued--;
        if (current === until) this.#expires.delete(key);
      }
      if (queue.size === 0) this.#classes.delete(ttlClass);
    }
  }

  /** O(keys), at most once per maxKeys claims: O(1) amortised. */
  #compact(): void {
    for (const [ttlClass, queue] of this.#classes) {
      for (const [key, until] of queue) {
        if (this.#expires.get(key) === until) continue;
        queue.delete(key);
        this.#queued--;
      }
      if (queue.size === 0) this.#classes.delete(ttlClass);
    }
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
