// Alert → rollback dispatch on the real thing: `node dist/server.js` (Probot's client with its write
// pacing as shipped, the GitHub registry) in its own process, the OpenAPI-checked fake GitHub in
// another, caches warm (a first evaluation pass and a warm-up alert before measuring).
//
// The floor of an alert → dispatch at latency L with writes paced 1 s apart: one read round trip, then
// the commit is sent, and the dispatch may leave 1 s after the commit did (or once the commit has
// answered, if that takes longer): L + max(L, 1 s). The dispatch's own round trip is not before its
// arrival. Figures: min/median/max of alert sent → dispatch arrived at the fake, beside that floor.

import { setTimeout as sleep } from "node:timers/promises";
import { Octokit } from "@octokit/rest";
import { WORKFLOWS } from "../test/helpers/github-harness.ts";
import { examplePayload, sign } from "../test/helpers/webhooks.ts";
import { type RequestRecord, startFakeGitHubProcess } from "./lib/fake-github-process.ts";
import { alertBody, sendAlert, startServer, WEBHOOK_SECRET } from "./lib/server-process.ts";
import { load, median, spread } from "./lib/stats.ts";

const RUNS = Number(process.env.RUNS ?? 7);
const ROLLOUTS = 5;
const DISPATCH = "actions/create-workflow-dispatch";

const rollout = (i: number, sync: boolean) => `stages:
  - percent: 10
    bake: 1h
  - percent: 50
    bake: 1h
  - percent: 100
    bake: 1h
workflows:
  rollback: rollback.yml
${sync ? `sync:\n  - file: config/svc-${i}.py\n    pattern: "percent = ([0-9.]+)"\n` : ""}state:
  percent: 50
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

function repoFiles(sync: boolean, settings: boolean): Record<string, string> {
  const files: Record<string, string> = { ...WORKFLOWS };
  for (let i = 0; i < ROLLOUTS; i++) {
    files[`.github/rollouts/svc-${i}.yml`] = rollout(i, sync);
    if (sync) files[`config/svc-${i}.py`] = `# traffic\npercent = 50.0\n`;
  }
  if (!sync && !settings) files[".github/rollouts/solo.yml"] = rollout(0, false);
  if (settings) files[".github/rollout-bot.yml"] = "defaults:\n  approvals: 1\n";
  return files;
}

const fake = await startFakeGitHubProcess();
await fake.call("seed", {
  repos: [
    { owner: "acme", name: "shop", files: repoFiles(false, false) },
    { owner: "acme", name: "sync", files: repoFiles(true, false) },
    { owner: "acme", name: "box", files: repoFiles(false, true) },
  ],
});
const server = await startServer({ githubHost: fake.host, env: { EVALUATION_CRON: "*/20 * * * * *" } });
await server.waitForLog((l) => l.msg === "GitHub repositories with rollouts found");
await server.waitForLog((l) => l.msg === "evaluation pass done");

/** Pass windows from the server's log: a run overlapping one is not counted (and is run again). */
const passes = () =>
  server.lines
    .filter((l) => l.msg === "evaluation pass done")
    .map((l) => ({ end: Date.parse(String(l.time)), start: Date.parse(String(l.time)) - Number(l.ms) }));
const overlapsPass = (from: number, to: number) => passes().some((p) => p.start <= to && p.end >= from);

/** Waits until GitHub has seen no request for `quietMs`: the write queue and clean-up are done. */
async function quiet(quietMs = 1_500): Promise<void> {
  for (;;) {
    const count = await fake.call<number>("count");
    const last = count > 0 ? (await fake.requests(count - 1))[0]!.at : 0;
    if (Date.now() - last >= quietMs) return;
    await sleep(200);
  }
}

let next = 0;
const fresh = () => `svc-${next++ % ROLLOUTS}`;

/** Puts the rolled-back rollout (and its sync file) back at 50% with a person's push, for the next run. */
async function reset(repo: string, id: string): Promise<void> {
  const i = Number(id.split("-")[1] ?? 0);
  const sync = repo === "acme/sync";
  const files: Record<string, string> = { [`.github/rollouts/${id}.yml`]: rollout(i, sync) };
  if (sync) files[`config/svc-${i}.py`] = "# traffic\npercent = 50.0\n";
  await fake.call("push", { repo, options: { branch: "main", files, message: `reset ${id}` } });
}
interface Run {
  toDispatch: number;
  toAnswer: number;
  requests: RequestRecord[];
  cpuMs: number;
}

async function rollback(repo: string, pick = fresh, withRepoLabel = true): Promise<Run> {
  let retries = 0;
  for (;;) {
    const id = pick();
    await quiet();
    const from = await fake.call<number>("count");
    const cpu = server.cpuMs();
    const sent = Date.now();
    const labelled = withRepoLabel ? repo : undefined;
    const startsAt = new Date(sent).toISOString();
    const response = await sendAlert(server, alertBody(id, labelled, `fp-${id}-${sent}`, "firing", startsAt));
    const answer = (await response.json()) as { outcomes?: { result: string }[] };
    const toAnswer = Date.now() - sent;
    await quiet();
    const cpuMs = server.cpuMs() - cpu;
    const requests = await fake.requests(from);
    const dispatch = requests.find((r) => r.operation === DISPATCH);
    if (!dispatch && answer.outcomes?.[0]?.result === "already_rolled_back" && retries++ < 5) {
      // A pass that read the alert book before the last run's "resolved" rolled it back meanwhile.
      await reset(repo, id);
      continue;
    }
    if (!dispatch) {
      const file = await fake.call("file", { repo, path: `.github/rollouts/${id}.yml` });
      throw new Error(
        `no dispatch for ${repo}:${id}: ${JSON.stringify(answer)}\n${file}\n${requests.map((r) => `${r.method} ${r.operation} ${r.status} ${r.path}`).join("\n")}`,
      );
    }
    // Resolved, so the alert book holds nothing firing for it when it is put back for the next run.
    await (
      await sendAlert(server, alertBody(id, labelled, `fp-${id}-${sent}`, "resolved", startsAt))
    ).arrayBuffer();
    await reset(repo, id);
    // A pass reads every repository: requests to another one mean it overlapped this run.
    const foreign =
      withRepoLabel &&
      requests.some((r) => r.path.startsWith("/repos/") && !r.path.startsWith(`/repos/${repo}/`));
    if (foreign || overlapsPass(sent, Date.now())) continue;
    return { toDispatch: dispatch.at - sent, toAnswer, requests, cpuMs };
  }
}

/** Sequential waves before the dispatch: requests whose arrival is more than L/2 after the previous wave's. */
function waves(run: Run, latency: number): number {
  const dispatch = run.requests.find((r) => r.operation === DISPATCH)!;
  const before = run.requests.filter((r) => r.at < dispatch.at).map((r) => r.at);
  let count = 0;
  let wave = Number.NEGATIVE_INFINITY;
  for (const at of before) {
    if (at - wave > latency / 2) {
      count++;
      wave = at;
    }
  }
  return count;
}

const writesBefore = (run: Run) => {
  const dispatch = run.requests.find((r) => r.operation === DISPATCH)!;
  return run.requests.filter((r) => r.at < dispatch.at && r.method !== "GET").length;
};

function report(name: string, runs: Run[], latency: number) {
  const floor = latency + Math.max(latency, 1_000);
  const m = median(runs.map((r) => r.toDispatch));
  // The run with the fewest requests shows what one rollback makes (a pass adds none to it).
  const first = [...runs].sort((a, b) => a.requests.length - b.requests.length)[0]!;
  console.log(
    `${name}: alert → dispatch ${spread(runs.map((r) => r.toDispatch))} ms (min/median/max, ${runs.length} runs); floor ${floor} ms → ${(m / floor).toFixed(2)}× ; answer ${spread(runs.map((r) => r.toAnswer))} ms; ${first.requests.filter((r) => r.at <= first.requests.find((q) => q.operation === DISPATCH)!.at).length} requests up to the dispatch (${writesBefore(first)} writes, ${waves(first, latency)} waves), ${median(runs.map((r) => r.requests.length))} in all; ${load()}`,
  );
  console.log(
    `  requests of one run: ${first.requests.map((r) => `${r.method} ${r.operation}${r.status === 304 ? " (304)" : ""}`).join(", ")}`,
  );
}

console.log(`alert → dispatch on node dist/server.js and the fake GitHub in its own process; ${load()}`);
await fake.call("latency", { ms: 100 });
// Warm-up: the installation token, the registry's stores, the read caches, the JIT.
for (const repo of ["acme/shop", "acme/sync", "acme/box"]) await rollback(repo);

// 1, 2. One file, and a sync file, at 100 ms.
// ONLY=floor | cpu | queue | box | unlabelled runs one section (the one-file runs are the queue's baseline).
const only = process.env.ONLY;
const section = (name: string) => !only || only === name;
const oneFile: Run[] = [];
if (section("floor") || section("queue")) {
  for (let i = 0; i < RUNS; i++) oneFile.push(await rollback("acme/shop"));
  report("one file  at 100 ms, pacing on", oneFile, 100);
}
if (section("floor")) {
  const syncFile: Run[] = [];
  for (let i = 0; i < RUNS; i++) syncFile.push(await rollback("acme/sync"));
  report("sync file at 100 ms, pacing on", syncFile, 100);
}

// 3. Bot CPU on the alert path at 0 ms, against the same window with no alert (idle baseline).
await fake.call("latency", { ms: 0 });
const cpu: number[] = [];
const idle: number[] = [];
// CPU varies from run to run more than latency does: 3 × RUNS runs (21 by default) for its median.
for (let i = 0; i < (section("cpu") ? Math.max(RUNS * 3, 11) : 0); i++) {
  const run = await rollback("acme/shop");
  cpu.push(run.cpuMs);
  const before = server.cpuMs();
  const from = Date.now();
  await sleep(1_500 + run.toAnswer);
  if (!overlapsPass(from, Date.now())) idle.push(server.cpuMs() - before);
}
if (section("cpu"))
  console.log(
    `bot CPU per alert rollback at 0 ms (whole process, alert sent → GitHub quiet for 1.5 s): ${spread(cpu, 1)} ms; baseline: the same window idle ${spread(idle, 1)} ms; median less the idle median ${(median(cpu) - median(idle)).toFixed(1)} ms; ${cpu.length} runs; ${load()}`,
  );

// 4. A rollback queued behind 10 gate-check writes of the same installation (PR check runs).
await fake.call("latency", { ms: 100 });
await fake.call("addToken", { token: "user-alice", login: "alice" });
const alice = new Octokit({ auth: "user-alice", baseUrl: fake.url });
const pulls: Record<string, unknown>[] = [];
for (let k = 0; k < 10; k++) {
  await fake.call("push", {
    repo: "acme/shop",
    options: {
      branch: `change-${k}`,
      files: { [`.github/rollouts/svc-${k % ROLLOUTS}.yml`]: `${rollout(0, false)}# ${k}\n` },
    },
  });
  const { data } = await alice.rest.pulls.create({
    owner: "acme",
    repo: "shop",
    head: `change-${k}`,
    base: "main",
    title: `change ${k}`,
  });
  pulls.push(data as unknown as Record<string, unknown>);
}
const queued: Run[] = [];
for (let i = 0; i < (section("queue") ? Math.min(RUNS, 3) : 0); i++) {
  await quiet();
  const from = await fake.call<number>("count");
  const deliveries = pulls.map((pr) => {
    const p = examplePayload("pull_request", "synchronize", { owner: "acme", name: "shop" });
    p.pull_request = pr;
    const body = JSON.stringify(p);
    return fetch(`${server.url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": crypto.randomUUID(),
        "x-hub-signature-256": sign(body, WEBHOOK_SECRET),
      },
      body,
    });
  });
  // The rollback arrives once the first check run is being written: the other nine wait in the queue.
  for (;;) {
    const seen = await fake.requests(from);
    if (seen.some((r) => r.operation === "checks/create")) break;
    await sleep(20);
  }
  const id = fresh();
  const sent = Date.now();
  const startsAt = new Date(sent).toISOString();
  const response = await sendAlert(
    server,
    alertBody(id, "acme/shop", `fp-q-${id}-${sent}`, "firing", startsAt),
  );
  const toAnswer = Date.now() - sent;
  await response.arrayBuffer();
  await Promise.all(deliveries);
  await quiet();
  const requests = await fake.requests(from);
  const dispatch = requests.find((r) => r.operation === DISPATCH);
  if (!dispatch) throw new Error("no dispatch behind the queue");
  await (
    await sendAlert(server, alertBody(id, "acme/shop", `fp-q-${id}-${sent}`, "resolved", startsAt))
  ).arrayBuffer();
  await reset("acme/shop", id);
  const checks = requests.filter((r) => r.operation === "checks/create");
  queued.push({ toDispatch: dispatch.at - sent, toAnswer, requests, cpuMs: 0 });
  if (process.env.TIMELINE)
    console.log(
      requests
        .filter((r) => r.method !== "GET" || r.operation.startsWith("pulls"))
        .map((r) => `${r.at - sent} ${r.method} ${r.operation}`)
        .join("\n"),
    );
  const writes = requests.filter((r) => r.method !== "GET").map((r) => r.at);
  const gaps = writes.slice(1).map((at, k) => at - writes[k]!);
  console.log(
    `  queued run ${i + 1}: smallest gap between two writes of the installation ${Math.min(...gaps)} ms; ${checks.filter((c) => c.at > dispatch.at).length} of ${checks.length} check-run writes after the dispatch`,
  );
}
if (section("queue"))
  console.log(
    `rollback behind 10 gate-check writes at 100 ms: alert → dispatch ${spread(queued.map((r) => r.toDispatch))} ms; baseline: the same rollback alone ${spread(oneFile.map((r) => r.toDispatch))} ms (above); ${load()}`,
  );

// 5. Black-box: 5 alert rollbacks one after another (repository with a settings file), 100 ms.
const box: Run[] = [];
for (let i = 0; i < (section("box") ? 5 : 0); i++) box.push(await rollback("acme/box"));
if (section("box"))
  console.log(
    `black-box: 5 alert rollbacks one after another at 100 ms: answer ${spread(box.map((r) => r.toAnswer))} ms, dispatch ${spread(box.map((r) => r.toDispatch))} ms, ${median(box.map((r) => r.requests.length))} requests per rollback (${median(box.map((r) => r.requests.filter((q) => q.status !== 304).length))} counted against the rate limit); ${load()}`,
  );

// 6. An alert without a `repo` label: found by rollout id among the served repositories.
const unlabelled: Run[] = [];
for (let k = 0; k < (section("unlabelled") ? 3 : 0); k++)
  unlabelled.push(await rollback("acme/shop", () => "solo", false));
if (section("unlabelled"))
  console.log(
    `alert without a repo label (3 repositories served): alert → dispatch ${spread(unlabelled.map((r) => r.toDispatch))} ms; ${load()}`,
  );

const violations = await fake.call<unknown[]>("violations");
if (violations.length > 0) console.log("fake GitHub violations:", JSON.stringify(violations).slice(0, 2000));
await server.close();
await fake.close();
