import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, startProcess, waitFor } from "./processes.ts";

/**
 * A real Redis (Debian's `redis-server`) as a child process on a loopback port, no persistence.
 * Under CI=true a missing binary fails the run (.ci/run installs it); elsewhere the suite is skipped.
 */

export const REDIS_SERVER = "/usr/bin/redis-server";

export function redisAvailable(): boolean {
  if (existsSync(REDIS_SERVER)) return true;
  if (process.env.CI) throw new Error(`missing ${REDIS_SERVER}: .ci/run must install redis-server`);
  return false;
}

export interface RedisServer {
  url: string;
  port: number;
  /** A plain client (no key prefix) for assertions and clean-up. */
  client: Redis;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rollout-redis-"));
  const child: ChildProcess = startProcess(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    join(dir, "redis.log"),
  );
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  await waitFor(
    "redis-server",
    async () => {
      if (client.status !== "ready") await client.connect().catch(() => undefined);
      return (await client.ping()) === "PONG" ? true : undefined;
    },
    10_000,
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client,
    flush: async () => {
      await client.flushall();
    },
    stop: async () => {
      client.disconnect();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
