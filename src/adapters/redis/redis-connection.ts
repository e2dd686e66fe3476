import { Redis } from "ioredis";

/**
 * One ioredis client per process for the coordination adapters. Keys live under `rollout-bot:` so
 * the bot can share a Redis with other tenants (Probot's throttling keeps its own `b_…` keys).
 * Commands fail fast while Redis is unreachable instead of queueing for ever: a transition then
 * fails loudly and is retried by the next alert or evaluation.
 */

export const KEY_PREFIX = "rollout-bot:";

export function connectRedis(url: string): Redis {
  return new Redis(url, {
    keyPrefix: KEY_PREFIX,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    // Reconnect with a capped backoff; ioredis keeps trying for as long as the process runs.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}
