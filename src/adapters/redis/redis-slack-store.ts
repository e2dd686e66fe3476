import type { Redis } from "ioredis";
import type { SlackMessageRef, SlackMessageStore } from "../../ports.ts";

/**
 * Where each stage's Slack message lives, shared by the replicas so any of them edits the same
 * message in place. Entries expire after 60 days (a stage rarely bakes that long; a missing entry
 * only means a new message).
 */
export const SLACK_REF_TTL_MS = 60 * 24 * 3_600_000;

export class RedisSlackMessageStore implements SlackMessageStore {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async get(key: string): Promise<SlackMessageRef | undefined> {
    const text = await this.#redis.get(`slack:${key}`);
    if (text === null) return undefined;
    const value = JSON.parse(text) as Partial<SlackMessageRef>;
    return typeof value.channel === "string" && typeof value.ts === "string"
      ? { channel: value.channel, ts: value.ts }
      : undefined;
  }
  async set(key: string, value: SlackMessageRef): Promise<void> {
    await this.#redis.set(
      `slack:${key}`,
      JSON.stringify({ channel: value.channel, ts: value.ts }),
      "PX",
      SLACK_REF_TTL_MS,
    );
  }
}
