import type { Redis } from "ioredis";
import type { Dedupe } from "../../ports.ts";

/** Dedupe keys shared by every replica: `SET key 1 NX PX ttl` claims, DEL gives back, PEXPIRE keeps. */
export class RedisDedupe implements Dedupe {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(`dedupe:${key}`, "1", "PX", ttlMs, "NX")) === "OK";
  }
  async release(key: string): Promise<void> {
    await this.#redis.del(`dedupe:${key}`);
  }
  async keep(key: string, ttlMs: number): Promise<void> {
    await this.#redis.set(`dedupe:${key}`, "1", "PX", ttlMs);
  }
}
