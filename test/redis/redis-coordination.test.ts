import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectRedis } from "../../src/adapters/redis/redis-connection.ts";
import { RedisDedupe } from "../../src/adapters/redis/redis-dedupe.ts";
import { RedisHealthLedger } from "../../src/adapters/redis/redis-health-ledger.ts";
import { RedisIntentJournal } from "../../src/adapters/redis/redis-journal.ts";
import { RedisLock } from "../../src/adapters/redis/redis-lock.ts";
import { RedisRunCoordinator } from "../../src/adapters/redis/redis-run-coordinator.ts";
import { RedisSlackMessageStore } from "../../src/adapters/redis/redis-slack-store.ts";
import type { Intent } from "../../src/ports.ts";
import { type RedisServer, redisAvailable, startRedis } from "../helpers/redis.ts";

/** The coordination adapters against a real redis-server: leases, dedupe keys, journal, tick election. */

const available = redisAvailable();

describe.skipIf(!available)("Redis coordination adapters", () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  /** One client per simulated replica, as each process has its own connection. */
  const replica = () => {
    const client = connectRedis(server.url);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.flush();
  });

  it("a lease is exclusive: concurrent holders of one key run one after the other", async () => {
    const locks = [new RedisLock(replica()), new RedisLock(replica()), new RedisLock(replica())];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      locks.map((lock, i) =>
        lock.withLease("rollout:acme/shop:checkout", 1_000, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(50);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2]);
    expect(await server.client.exists("rollout-bot:lock:rollout:acme/shop:checkout")).toBe(0);
  });

  it("is released only by its holder's token", async () => {
    const lock = new RedisLock(replica());
    const token = await lock.tryAcquire("k", 5_000);
    expect(token).toBeDefined();
    expect(await lock.tryAcquire("k", 5_000)).toBeUndefined();
    expect(await lock.release("k", "someone-else")).toBe(false);
    expect(await lock.tryAcquire("k", 5_000)).toBeUndefined();
    expect(await lock.release("k", token!)).toBe(true);
    expect(await lock.tryAcquire("k", 5_000)).toBeDefined();
  });

  it("is renewed while the work outlives its TTL, so nobody else takes it meanwhile", async () => {
    const holder = new RedisLock(replica());
    const other = new RedisLock(replica(), { waitMs: 0 });
    const stolen: (string | undefined)[] = [];
    await holder.withLease("slow", 300, async () => {
      for (let i = 0; i < 6; i++) {
        await sleep(150); // 900 ms in all: three TTLs
        stolen.push(await other.tryAcquire("slow", 300));
      }
    });
    expect(stolen.every((t) => t === undefined)).toBe(true);
    expect(await other.withLease("slow", 300, async () => "free")).toBe("free");
  });

  it("is never stranded: a dead holder's lease expires and a waiting caller takes it after the TTL", async () => {
    const dead = new RedisLock(replica());
    await dead.tryAcquire("rollout:x", 400); // taken, never renewed nor released: its process died
    const started = Date.now();
    const result = await new RedisLock(replica()).withLease("rollout:x", 400, async () => "taken over");
    expect(result).toBe("taken over");
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("gives up after waitMs, as the Lock port says (undefined), without running the work", async () => {
    const holder = new RedisLock(replica());
    await holder.tryAcquire("busy", 5_000);
    let ran = false;
    const result = await new RedisLock(replica(), { waitMs: 200 }).withLease("busy", 5_000, async () => {
      ran = true;
    });
    expect(result).toBeUndefined();
    expect(ran).toBe(false);
  });

  it("releases the lease when the work throws", async () => {
    const lock = new RedisLock(replica());
    await expect(
      lock.withLease("boom", 5_000, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await lock.tryAcquire("boom", 5_000)).toBeDefined();
  });

  it("dedupe keys: claimed once across replicas, given back, kept longer, and expiring", async () => {
    const [a, b] = [new RedisDedupe(replica()), new RedisDedupe(replica())];
    const claims = await Promise.all([a, b, a, b].map((d) => d.claim("firing:fp1", 300)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await a.release("firing:fp1");
    expect(await b.claim("firing:fp1", 300)).toBe(true);
    await b.keep("firing:fp1", 60_000);
    expect(await server.client.pttl("rollout-bot:dedupe:firing:fp1")).toBeGreaterThan(50_000);
    expect(await a.claim("short", 100)).toBe(true);
    await sleep(150);
    expect(await b.claim("short", 100)).toBe(true);
  });

  it("Slack message refs are shared by replicas and expire", async () => {
    const [a, b] = [new RedisSlackMessageStore(replica()), new RedisSlackMessageStore(replica())];
    await a.set("C1|acme/shop|checkout|10", { channel: "C1", ts: "1700000000.000100" });
    expect(await b.get("C1|acme/shop|checkout|10")).toEqual({ channel: "C1", ts: "1700000000.000100" });
    expect(await b.get("C1|acme/shop|checkout|50")).toBeUndefined();
    expect(await server.client.pttl("rollout-bot:slack:C1|acme/shop|checkout|10")).toBeGreaterThan(0);
  });

  it("node-cron's run coordinator elects one replica per scheduled slot", async () => {
    const coordinators = [1, 2, 3].map(() => new RedisRunCoordinator(replica()));
    for (const slot of ["2026-11-22T10:00:00.000Z", "2026-11-22T10:01:00.000Z"]) {
      const key = `rollout-evaluation:${slot}`;
      const won = await Promise.all(coordinators.map((c) => c.shouldRun(key, 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it("the intent journal: one winner of a stage change, cleared only by its own intent", async () => {
    const journals = [1, 2, 3].map(() => new RedisIntentJournal(replica()));
    const intent: Intent = {
      id: "i-1",
      repo: "acme/shop",
      rollout: "checkout",
      path: ".github/rollouts/checkout.yml",
      action: "rollback",
      from: 50,
      to: 10,
      dispatches: [{ workflow: "rollback.yml", inputs: { rollout: "checkout", from: "50", to: "10" } }],
      stage: "committing",
      at: "2026-11-22T10:00:00.000Z",
      attempts: 0,
    };
    await journals[0]!.record(intent);
    const wins = await Promise.all(
      journals.map((j) =>
        j.advance("acme/shop", "checkout", "i-1", ["committing", "committed"], "dispatching", {
          commit: "abc",
        }),
      ),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const [stored] = await journals[1]!.list("acme/shop");
    expect(stored).toEqual({ ...intent, stage: "dispatching", commit: "abc" });
    expect(await journals[2]!.advance("acme/shop", "checkout", "other", ["dispatching"], "committed")).toBe(
      false,
    );
    await journals[2]!.clear("acme/shop", "checkout", "other");
    expect(await journals[0]!.list("acme/shop")).toHaveLength(1);
    await journals[2]!.clear("acme/shop", "checkout", "i-1");
    expect(await journals[0]!.list("acme/shop")).toEqual([]);
  });

  it("the health ledger swaps atomically: of replicas seeing one change, exactly one gets the old value", async () => {
    const ledgers = [replica(), replica(), replica()].map((r) => new RedisHealthLedger(r));
    expect(await ledgers[0]!.swap("acme/shop:checkout", "green|missing:|firing:")).toBeUndefined();
    const seen = await Promise.all(ledgers.map((l) => l.swap("acme/shop:checkout", "red|missing:|firing:t")));
    expect(seen.filter((s) => s === "green|missing:|firing:")).toHaveLength(1);
    expect(seen.filter((s) => s === "red|missing:|firing:t")).toHaveLength(2);
    const ttl = await server.client.pttl("rollout-bot:health:acme/shop:checkout");
    expect(ttl).toBeGreaterThan(29 * 24 * 3_600_000);
  });
});
