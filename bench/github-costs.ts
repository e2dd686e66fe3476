// GitHub cost of the two core actions, against the OpenAPI-checked fake GitHub:
// requests per rollback and per advance, and the time from a rollback command to its workflow
// dispatch request with GitHub answering after 100 ms, against the floor of the sequential requests
// a rollback cannot avoid (measured in the same run).
import { performance } from "node:perf_hooks";
import { Octokit } from "@octokit/rest";
import { EtagCache } from "../src/adapters/github/etag-cache.ts";
import { GitHubRepoStore } from "../src/adapters/github/github-repo-store.ts";
import { silentLogger } from "../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../src/adapters/prometheus/simulated-metrics.ts";
import { runCommand } from "../src/commands/run-command.ts";
import type { Command } from "../src/core/commands/command.ts";
import { localServices } from "../src/main/coordination.ts";
import { RecordingNotifier } from "../test/doubles/recording-notifier.ts";
import { startFakeGitHub } from "../test/fakes/github/fake-github.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../test/helpers/command-context.ts";
import { WORKFLOWS } from "../test/helpers/github-harness.ts";

const RUNS = Number(process.env.RUNS ?? 20);
const LATENCY = Number(process.env.LATENCY_MS ?? 100);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function setup(latencyMs: number) {
  const fake = await startFakeGitHub({ latencyMs });
  fake.state.clock.set("2026-11-22T10:00:00Z");
  fake.state.seedRepo({
    owner: "acme",
    name: "shop",
    files: { ...WORKFLOWS, [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
  });
  const store = new GitHubRepoStore(new Octokit({ auth: "token", baseUrl: fake.url }), {
    owner: "acme",
    repo: "shop",
    defaultBranch: "main", // the default branch arrives with every webhook
    etags: new EtagCache(),
  });
  const metrics = new SimulatedMetrics({ error_rate: () => 0.001 });
  const services = localServices({
    metrics: () => metrics,
    notifier: new RecordingNotifier(),
    clock: { now: () => fake.state.clock.now() },
    logger: silentLogger,
  });
  const run = (command: Command) =>
    runCommand(services, { command, principal: { kind: "local", user: "bench" }, scope: store });
  return { fake, run };
}

// 1. Request counts, no latency.
{
  const { fake, run } = await setup(0);
  const before = fake.requests.length;
  await run({ verb: "advance", rollout: { id: "checkout" } });
  const advance = fake.requests.slice(before);
  const mid = fake.requests.length;
  await run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "bench" });
  const rollback = fake.requests.slice(mid);
  const list = (rs: typeof advance) =>
    rs.map((r) => `${r.method} ${r.operationId}${r.status === 304 ? " (304)" : ""}`).join(", ");
  console.log(
    `advance (bump PR): ${advance.length} requests, ${advance.filter((r) => r.method !== "GET").length} writes — ${list(advance)}`,
  );
  console.log(
    `rollback:          ${rollback.length} requests, ${rollback.filter((r) => r.method !== "GET").length} writes — ${list(rollback)}`,
  );
  fake.assertClean();
  await fake.close();
}

// 2. Rollback command → dispatch request, GitHub answering after LATENCY ms.
const times: number[] = [];
let sequentialBeforeDispatch = 0;
for (let i = 0; i < RUNS; i++) {
  const { fake, run } = await setup(LATENCY);
  const start = performance.now();
  await run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "bench" });
  const dispatch = fake.requests.find((r) => r.operationId === "actions/create-workflow-dispatch");
  if (!dispatch) throw new Error("no dispatch");
  // Requests the fake received before the dispatch: the waves a rollback needs before it.
  const before = fake.requests.filter((r) => r.at < dispatch.at);
  sequentialBeforeDispatch = new Set(before.map((r) => Math.round((r.at - before[0]!.at) / LATENCY))).size;
  times.push(dispatch.at - (performance.timeOrigin + start));
  await fake.close();
}
const floor = 7 * LATENCY; // ref, commit, blob check, tree, commit, ref update: 6 waves, +1 for the read of the rollout file
console.log(
  `rollback command → dispatch request at ${LATENCY} ms per GitHub request: median ${median(times).toFixed(0)} ms over ${RUNS} runs`,
);
console.log(
  `  floor (sequential requests a rollback cannot avoid before dispatching: 7 × ${LATENCY} ms) ${floor} ms → ratio ${(median(times) / floor).toFixed(2)}; observed ${sequentialBeforeDispatch} sequential waves before the dispatch`,
);

// 3. The same rollback from a PR comment through Probot with GitHub's pacing on (writes ≥ 1 s apart,
//    content creation ≥ 3 s): what a user sees in production, against the unpaced figure above.
{
  const { startGitHubApp, commentPayload } = await import("../test/helpers/github-harness.ts");
  const runs = Number(process.env.RUNS_THROTTLED ?? 5);
  const paced: number[] = [];
  const unpaced: number[] = [];
  for (let i = 0; i < runs * 2; i++) {
    const throttle = i % 2 === 0;
    const h = await startGitHubApp({
      files: { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
      throttle,
    });
    const payload = await commentPayload(h, "/rollout rollback checkout to 0 bench", "carol");
    const start = Date.now();
    await h.send("issue_comment", payload);
    const dispatch = h.fake.requests.find((r) => r.operationId === "actions/create-workflow-dispatch");
    if (!dispatch) throw new Error("no dispatch");
    (throttle ? paced : unpaced).push(dispatch.at - start);
    await h.close();
  }
  console.log(
    `rollback comment → dispatch through Probot, GitHub answering at once: median ${median(paced).toFixed(0)} ms with GitHub's pacing on, ${median(unpaced).toFixed(0)} ms with it off (${runs} runs each)`,
  );
}
