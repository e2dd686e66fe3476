// Alert → workflow dispatch through the real server, with GitHub (the OpenAPI-checked fake) answering
// after 0 ms and after 100 ms: median time from the Alertmanager webhook reaching the server to the
// fake receiving the dispatch, against the floor and against the round trip of an alert the server
// ignores, measured in the same run. The floor is the sequential GitHub requests a rollback cannot
// avoid × latency — one file: read it, commit it (contents API), dispatch = 3; with a sync file: read,
// ref, head commit, tree, commit, ref update, dispatch = 7 — plus, throttled (writes ≥ 1 s apart, as
// GitHub asks of integrations and as shipped), 1 s between consecutive writes.
import { setTimeout as sleep } from "node:timers/promises";
import { EtagCache } from "../src/adapters/github/etag-cache.ts";
import { ResilientOctokit } from "../src/adapters/github/github-client.ts";
import { GitHubRepoStore } from "../src/adapters/github/github-repo-store.ts";
import { throttleHandlers } from "../src/adapters/github/octokit-policy.ts";
import { StaticRegistry } from "../src/adapters/local/static-registry.ts";
import { silentLogger } from "../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../src/adapters/prometheus/simulated-metrics.ts";
import { createApp } from "../src/main/app.ts";
import { localServices } from "../src/main/coordination.ts";
import { RecordingNotifier } from "../test/doubles/recording-notifier.ts";
import { startFakeGitHub } from "../test/fakes/github/fake-github.ts";
import { alertmanagerBody } from "../test/helpers/app-harness.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../test/helpers/command-context.ts";
import { WORKFLOWS } from "../test/helpers/github-harness.ts";

const RUNS = Number(process.env.RUNS ?? 10);
const TOKEN = "bench-token-0123456789abcdef";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const PLANS = {
  "one file": {
    files: { [ROLLOUT_PATH]: CHECKOUT_PLAN.replace(/sync:\n(?: {2}.*\n)+/, "") },
    sequential: 3,
    writes: 2,
  },
  "sync file": { files: { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY }, sequential: 7, writes: 4 },
};

async function once(latencyMs: number, throttled: boolean, rollout: string, files: Record<string, string>) {
  const fake = await startFakeGitHub({ latencyMs });
  fake.state.seedRepo({
    owner: "acme",
    name: "shop",
    files: { ...WORKFLOWS, ...files },
  });
  const octokit = new ResilientOctokit({
    auth: "token",
    baseUrl: fake.url,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    throttle: { ...throttleHandlers(silentLogger), enabled: throttled },
  });
  const store = new GitHubRepoStore(octokit, { owner: "acme", repo: "shop", etags: new EtagCache() });
  const metrics = new SimulatedMetrics({ error_rate: () => 0.001 });
  const app = createApp({
    services: localServices({
      metrics: () => metrics,
      notifier: new RecordingNotifier(),
      clock: { now: () => new Date() },
      logger: silentLogger,
    }),
    registry: new StaticRegistry([store]),
    alertToken: TOKEN,
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const sent = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(alertmanagerBody("firing", { rollout, repo: "acme/shop", severity: "critical" })),
  });
  await response.arrayBuffer();
  const total = Date.now() - sent;
  const dispatch = fake.requests.find((r) => r.operationId === "actions/create-workflow-dispatch");
  const before = dispatch ? fake.requests.filter((r) => r.at <= dispatch.at && r.method !== "GET").length : 0;
  const requests = dispatch ? fake.requests.filter((r) => r.at <= dispatch.at).length : 0;
  await app.close();
  await fake.close();
  return { total, toDispatch: dispatch ? dispatch.at - sent : undefined, requests, writes: before };
}

console.log(`alert → workflow dispatch via the server and the fake GitHub, ${RUNS} runs each, median`);
await once(0, false, "checkout", PLANS["one file"].files); // warm-up
for (const [name, plan] of Object.entries(PLANS)) {
  for (const throttled of [false, true]) {
    for (const latency of [0, 100]) {
      const ignored: number[] = [];
      const times: number[] = [];
      let requests = 0;
      for (let i = 0; i < RUNS; i++) {
        ignored.push((await once(latency, throttled, "no-such-rollout", plan.files)).total);
        const run = await once(latency, throttled, "checkout", plan.files);
        if (run.toDispatch === undefined) throw new Error("no dispatch: the rollback did not happen");
        times.push(run.toDispatch);
        requests = run.requests;
        // The throttling plugin's write queue is per process: let its 1 s spacing lapse between runs.
        if (throttled) await sleep(1_100);
      }
      const floor = plan.sequential * latency + (throttled ? (plan.writes - 1) * 1000 : 0);
      const figure = median(times);
      const ratio = floor > 0 ? `${(figure / floor).toFixed(2)}× the floor of ${floor} ms` : "floor 0 ms";
      console.log(
        `${name.padEnd(9)} ${throttled ? "throttled  " : "unthrottled"} GitHub at ${String(latency).padStart(3)} ms: ${figure.toFixed(0).padStart(5)} ms to dispatch (${ratio}; ${requests} requests up to the dispatch); baseline: ignored alert ${median(ignored).toFixed(1)} ms`,
      );
    }
  }
}
