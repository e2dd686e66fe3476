import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis } from "../../src/adapters/redis/redis-connection.ts";
import { RedisFlagLedger } from "../../src/adapters/redis/redis-flag-ledger.ts";
import { reconcileFlags } from "../../src/commands/reconcile-flags.ts";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import type { FlagService } from "../../src/ports.ts";
import { registryOf } from "../doubles/memory-flag-service.ts";
import { type RedisServer, redisAvailable, startRedis } from "../helpers/redis.ts";

/** Two replicas sharing the ledger on a real Redis: a write-only target is sent to once, not twice. */

describe.skipIf(!redisAvailable())("RedisFlagLedger", () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server.stop();
  });

  it("lets the second replica see what the first one sent", async () => {
    const sent: unknown[] = [];
    const admin: FlagService = {
      name: "admin",
      type: "http",
      write: async (_ref, _kind, value) => {
        sent.push(value);
      },
    };
    const parsed = parseRolloutFile(
      ".github/rollouts/scraper.yml",
      "stages:\n  - percent: 10\nflags:\n  - { target: admin, flag: ENABLE, value: { stages: { 10: true } } }\nstate:\n  percent: 10\n",
    );
    if (!parsed.ok) throw new Error("invalid");
    const replica = () => {
      const client = connectRedis(server.url);
      clients.push(client);
      return new RedisFlagLedger(client);
    };
    const input = { repo: "dealerscope/web", rollout: parsed.value, services: registryOf(admin) };
    expect((await reconcileFlags({ ...input, ledger: replica() }))[0]).toMatchObject({
      state: "ok",
      changed: true,
    });
    expect((await reconcileFlags({ ...input, ledger: replica() }))[0]).toMatchObject({
      state: "ok",
      changed: false,
    });
    expect(sent).toEqual([true]);
    // Under the bot's key prefix, and expiring.
    const key = "rollout-bot:flag-ledger:dealerscope/web:scraper:admin///ENABLE";
    expect(await server.client.get(key)).toBe("true");
    expect(await server.client.ttl(key)).toBeGreaterThan(86_400);
  });
});
