import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Postgres, postgresAvailable, startPostgres } from "./postgres.ts";
import { freePort, waitFor } from "./processes.ts";

/**
 * A real Unleash server (npm `unleash-server`, installed under test/peers/unleash by .ci/run: it is
 * not one of the bot's dependencies) on a real PostgreSQL. Under CI=true a missing install fails.
 */

const PEER = fileURLToPath(new URL("../peers/unleash/", import.meta.url));
export const ADMIN_TOKEN = "*:*.rollout-bot-test-admin-token";
export const CLIENT_TOKEN = "default:production.rollout-bot-test-client-token";

export function unleashAvailable(): boolean {
  const installed = existsSync(join(PEER, "node_modules/unleash-server/package.json"));
  if (!installed && process.env.CI) {
    throw new Error(
      "missing test/peers/unleash/node_modules: .ci/run must run npm ci --prefix test/peers/unleash",
    );
  }
  return installed && postgresAvailable();
}

export interface UnleashServer {
  url: string;
  /** Milliseconds from starting PostgreSQL to Unleash answering /health (migrations included). */
  startupMs: number;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  stop(): Promise<void>;
}

export async function startUnleash(): Promise<UnleashServer> {
  const started = Date.now();
  const postgres: Postgres = await startPostgres();
  const port = await freePort();
  const logFile = join(mkdtempSync(join(tmpdir(), "rollout-unleash-")), "unleash.log");
  const log = openSync(logFile, "a");
  const child: ChildProcess = spawn(process.execPath, [join(PEER, "start.mjs")], {
    cwd: PEER,
    stdio: ["ignore", log, log],
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: postgres.url(),
      DATABASE_SSL: "false",
      HTTP_PORT: String(port),
      INIT_ADMIN_API_TOKENS: ADMIN_TOKEN,
      INIT_CLIENT_API_TOKENS: CLIENT_TOKEN,
      NODE_ENV: "production",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await postgres.stop();
  };
  try {
    await waitFor(
      "unleash-server",
      async () => {
        if (child.exitCode !== null)
          throw new Error(`unleash-server exited: ${readFileSync(logFile, "utf8").slice(-2000)}`);
        const response = await fetch(`${url}/health`);
        return response.ok ? true : undefined;
      },
      90_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${readFileSync(logFile, "utf8").slice(-2000)}`);
  }
  return {
    url,
    startupMs: Date.now() - started,
    admin: async (method, path, body) => {
      const init: RequestInit = {
        method,
        headers: { authorization: ADMIN_TOKEN, "content-type": "application/json" },
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
    stop,
  };
}
