import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "../../test/helpers/processes.ts";

/**
 * The real server as `npm start` runs it (node with the flags of package.json's `start`, then
 * `dist/server.js`, built by `npm run build`) in its own process, configured by environment as an
 * operator would: the GitHub App pointed at the fake GitHub (GHE_HOST), Probot's client with its
 * throttling and retries as shipped. Its JSON log lines are kept so a benchmark can wait for one; CPU
 * time and RSS are read from /proc, not from inside.
 */

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ALERT_TOKEN = "bench-alert-token-0123456789abcdef";
export const WEBHOOK_SECRET = "bench-webhook-secret";
export const { privateKey: PRIVATE_KEY } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves with the first log line (from index `from`) that `match` accepts. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
    from?: number,
  ): Promise<Record<string, unknown>>;
  /** CPU time of every thread of the process so far, in ms (/proc/<pid>/task/<tid>/schedstat, ns). */
  cpuMs(): number;
  /** Resident set size now, in bytes (VmRSS). */
  rss(): number;
  /** Peak RSS so far (VmHWM). */
  peakRss(): number;
  close(): Promise<void>;
}

export function cpuMsOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return ns / 1e6;
}

export function statusKb(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

/** `npm start`'s command (package.json), as the image runs it too: node, its flags, dist/server.js. */
export function shippedServerCommand(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/);
}

/** The flags of the shipped command: the server measured is the server that ships. */
const shippedFlags = () => shippedServerCommand().slice(1, -1);

/** BENCH_NODE_ARGS: more flags for the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (not allowed in NODE_OPTIONS). */
const nodeArgs = () => (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);

export async function startServer(
  options: { env?: Record<string, string>; githubHost?: string; command?: "node" | "npm" } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    PORT: String(port),
    HOST: "127.0.0.1",
    ALERT_WEBHOOK_TOKEN: ALERT_TOKEN,
    EVALUATION_CRON: "0 0 1 1 *",
    LOG_LEVEL: "info",
    ...(options.githubHost
      ? {
          APP_ID: "1",
          PRIVATE_KEY,
          WEBHOOK_SECRET,
          GHE_HOST: options.githubHost,
          GHE_PROTOCOL: "http",
        }
      : {}),
    ...options.env,
  };
  const child =
    options.command === "npm"
      ? spawn("npm", ["start", "--silent"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(
          process.execPath,
          [...shippedFlags(), ...nodeArgs(), process.env.BENCH_SERVER ?? "dist/server.js"],
          {
            cwd: ROOT,
            env,
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  // BENCH_SERVER_LOG=<file>: the server's stdout as it came (with BENCH_NODE_ARGS="--trace-gc", its GCs).
  const logFile = process.env.BENCH_SERVER_LOG;
  child.stdout?.on("data", (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk);
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
    for (const wake of waiters) wake();
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waitForLog: ServerProcess["waitForLog"] = (match, timeoutMs = 120_000, from = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find(match);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const pid = () => {
    if (child.pid === undefined) throw new Error("server not started");
    return child.pid;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    lines,
    waitForLog,
    cpuMs: () => cpuMsOf(pid()),
    rss: () => statusKb(pid(), "VmRSS"),
    peakRss: () => statusKb(pid(), "VmHWM"),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // A profiled server (BENCH_NODE_ARGS) writes its profile on a clean exit: SIGTERM first.
        if (nodeArgs().length > 0) {
          child.kill("SIGTERM");
          await Promise.race([exited, sleep(10_000)]);
        }
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      await exited;
    },
  };
}

/** An Alertmanager v4 webhook with one critical firing alert for `rollout` of `repo`. */
export function alertBody(
  rollout: string,
  repo: string | undefined,
  fingerprint: string,
  status: "firing" | "resolved" = "firing",
  startsAt = new Date().toISOString(),
) {
  const labels: Record<string, string> = { alertname: "ErrorBudget", severity: "critical", rollout };
  if (repo) labels.repo = repo;
  return {
    version: "4",
    groupKey: `{}:{rollout="${rollout}"}`,
    truncatedAlerts: 0,
    status,
    receiver: "rollout-bot",
    groupLabels: { rollout },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: [
      {
        status,
        labels,
        annotations: { summary: "5xx ratio above 5%" },
        startsAt,
        endsAt: status === "resolved" ? new Date().toISOString() : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus:9090/graph",
        fingerprint,
      },
    ],
  };
}

export async function sendAlert(server: ServerProcess, body: unknown): Promise<Response> {
  return fetch(`${server.url}/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${ALERT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
