import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.ts";
import { WORKFLOWS } from "./github-harness.ts";
import { freePort, waitFor } from "./processes.ts";
import { type RedisServer, startRedis } from "./redis.ts";

/**
 * Several replicas of the real server — `node dist/server.js` child processes, as `npm start` runs
 * it — sharing one real Redis (REDIS_URL; or none, each process on its own), one fake GitHub (the GitHub App via GHE_HOST) and one
 * fake Slack (SLACK_API_URL). Child processes make SIGKILL and SIGTERM real.
 */

export const ALERT_TOKEN = "replica-alert-token-0123456789";
export const OWNER = "acme";
export const NAME = "shop";
export const FULL = `${OWNER}/${NAME}`;
const SECRET = "replica-webhook-secret";
const SERVER = join(import.meta.dirname, "../../dist/server.js");

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** A rollout at 50% with a rollback workflow, posting to its own channel on `schedule`. */
export function rolloutFile(options: { channel: string; schedule?: string; percent?: number }): string {
  return `stages:
  - percent: 10
    bake: 1h
  - percent: 50
    bake: 1h
  - percent: 100
    bake: 1h
notify:
  slack_channel: ${options.channel}
  schedule: "${options.schedule ?? "0 0 1 1 *"}"
workflows:
  rollback: rollback.yml
state:
  percent: ${options.percent ?? 50}
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;
}

export interface Replica {
  index: number;
  url: string;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

export interface Cluster {
  /** Undefined for a single process without Redis (`redis: false`). */
  redis: RedisServer | undefined;
  github: FakeGitHub;
  slack: FakeSlack;
  replicas: Replica[];
  /** Starts one more replica (a replacement pod) and waits until it serves. */
  addReplica(): Promise<Replica>;
  alive(): Replica[];
  alert(replica: Replica, rollout: string, fingerprint: string): Promise<Response>;
  /** Rollback commits on the default branch for a rollout, and its recorded dispatches. */
  rollbacks(rollout: string): { commits: number; dispatches: number };
  evaluations(): Promise<number>;
  close(): Promise<void>;
}

export async function startCluster(options: {
  replicas: number;
  files: Record<string, string>;
  /** false: no Redis, no REDIS_URL — each process coordinates in memory, as a single install runs. */
  redis?: boolean;
}) {
  const redis = options.redis === false ? undefined : await startRedis();
  const github = await startFakeGitHub();
  github.state.seedRepo({ owner: OWNER, name: NAME, files: { ...WORKFLOWS, ...options.files } });
  const slack = await startFakeSlack();
  const dir = mkdtempSync(join(tmpdir(), "rollout-replicas-"));
  const replicas: Replica[] = [];
  const spawnReplica = async (): Promise<Replica> => {
    const index = replicas.length;
    const port = await freePort();
    const log = join(dir, `replica-${index}.log`);
    const fd = openSync(log, "a");
    const child = spawn(process.execPath, [SERVER], {
      stdio: ["ignore", fd, fd],
      env: {
        PATH: process.env.PATH ?? "",
        PORT: String(port),
        HOST: "127.0.0.1",
        APP_ID: "1",
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        ...(redis ? { REDIS_URL: redis.url } : {}),
        LEASE_TTL_MS: "1500",
        ALERT_WEBHOOK_TOKEN: ALERT_TOKEN,
        SLACK_BOT_TOKEN: slack.token,
        SLACK_SIGNING_SECRET: "replica-signing-secret",
        SLACK_API_URL: slack.url,
        EVALUATION_CRON: "* * * * * *",
        LOG_LEVEL: "info",
      },
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const replica = { index, url: `http://127.0.0.1:${port}`, child, log, exited };
    replicas.push(replica);
    return replica;
  };
  const ready = (r: Replica) =>
    waitFor(
      `replica ${r.index} to list the repositories`,
      async () =>
        readFileSync(r.log, "utf8").includes("GitHub repositories with rollouts found") ? true : undefined,
      20_000,
    );
  for (let i = 0; i < options.replicas; i++) await spawnReplica();
  for (const r of replicas) await ready(r);
  const cluster: Cluster = {
    addReplica: async () => {
      const replica = await spawnReplica();
      await ready(replica);
      return replica;
    },
    alive: () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null),
    redis,
    github,
    slack,
    replicas,
    alert: (replica, rollout, fingerprint) =>
      fetch(`${replica.url}/alerts/alertmanager`, {
        method: "POST",
        headers: { authorization: `Bearer ${ALERT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(alertBody(rollout, fingerprint)),
      }),
    rollbacks: (rollout) => ({
      commits: github.state
        .commitsOn(FULL, "main")
        .filter(
          (c) =>
            c.message.includes(`Rollout: ${rollout}\n`) && c.message.includes("Rollout-Action: rollback"),
        ).length,
      dispatches: github.state.repo(FULL).dispatches.filter((d) => d.inputs.rollout === rollout).length,
    }),
    evaluations: async () => {
      let sum = 0;
      for (const r of replicas) {
        if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
        const text = await (await fetch(`${r.url}/metrics`)).text();
        for (const line of text.split("\n"))
          if (line.startsWith("rollout_bot_evaluations_total{")) sum += Number(line.split(" ").at(-1));
      }
      return sum;
    },
    close: async () => {
      for (const r of replicas)
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
      await Promise.all(replicas.map((r) => r.exited));
      await Promise.all([github.close(), slack.close(), redis?.stop()]);
    },
  };
  return cluster;
}

/** An Alertmanager v4 webhook with one critical firing alert for a rollout. */
export function alertBody(rollout: string, fingerprint: string) {
  const labels = { alertname: "CheckoutErrors", severity: "critical", rollout, repo: FULL };
  return {
    version: "4",
    groupKey: `{}:{rollout="${rollout}"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "rollout-bot",
    groupLabels: { rollout },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: [
      {
        status: "firing",
        labels,
        annotations: { summary: "5xx ratio above 5%" },
        startsAt: "2026-11-22T10:00:00.000Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus:9090/graph",
        fingerprint,
      },
    ],
  };
}
