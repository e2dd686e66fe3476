import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Real peers (Prometheus, Alertmanager) as child processes on loopback ports. */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** In CI a missing binary fails the run; on a developer machine the suite is skipped with a hint. */
export function requireBinaries(paths: string[]): { available: boolean; missing: string[] } {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0 && process.env.CI) {
    throw new Error(
      `missing ${missing.join(", ")}: .ci/run must install it (prometheus, prometheus-alertmanager, redis-server, kubernetes-client)`,
    );
  }
  return { available: missing.length === 0, missing };
}

export function startProcess(binary: string, args: string[], logFile: string): ChildProcess {
  const log = openSync(logFile, "a");
  return spawn(binary, args, { stdio: ["ignore", log, log] });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
