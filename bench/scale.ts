// Scale on the real thing: `node dist/server.js` (Probot's client, the GitHub registry filled from the
// installation) against the fake GitHub in its own process, 1,000 repositories holding 1,000 and then
// 5,000 rollouts. The server's scheduler runs on its cron (every 10 s here, every minute as shipped);
// per pass: its duration (from the server's "evaluation pass done" line), the GitHub requests it made
// and how many counted against the rate limit (conditional requests answered 304 do not), the server's
// CPU time (/proc schedstat) and RSS — against the same server idle, before any repository was served.
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeGitHubProcess } from "./lib/fake-github-process.ts";
import { startServer } from "./lib/server-process.ts";
import { load, spread } from "./lib/stats.ts";

const REPOS = Number(process.env.REPOS ?? 1000);
const SIZES = (process.env.ROLLOUTS ?? "1000,5000").split(",").map(Number);
const PASSES = Number(process.env.PASSES ?? 3);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

const rollout = (i: number) => `stages:
  - percent: 10
    bake: 1d
  - percent: 50
    bake: 1d
  - percent: 100
workflows:
  rollback: rollback.yml
notify:
  schedule: "0 9 * * 1"
state:
  percent: ${[10, 50][i % 2]}
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

// The idle baseline: the same server with GitHub configured and nothing to serve.
const empty = await startFakeGitHubProcess();
const idle = await startServer({ githubHost: empty.host });
await idle.waitForLog((l) => l.msg === "GitHub repositories with rollouts found");
await sleep(3_000);
const idleRss = idle.rss();
await idle.close();
await empty.close();
console.log(
  `scale on node dist/server.js; baseline: the same server idle (GitHub configured, no repository) RSS ${mb(idleRss)}; ${load()}`,
);

for (const total of SIZES) {
  const perRepo = Math.max(1, Math.round(total / REPOS));
  const fake = await startFakeGitHubProcess();
  for (let r = 0; r < REPOS; r += 100) {
    const repos = [];
    for (let k = r; k < Math.min(REPOS, r + 100); k++) {
      const files: Record<string, string> = { ".github/workflows/rollback.yml": "on: workflow_dispatch\n" };
      for (let i = 0; i < perRepo; i++) files[`.github/rollouts/svc-${k}-${i}.yml`] = rollout(i);
      repos.push({ owner: "acme", name: `svc-${k}`, files });
    }
    await fake.call("seed", { repos });
  }
  const server = await startServer({
    githubHost: fake.host,
    env: { EVALUATION_CRON: "*/10 * * * * *", LOG_LEVEL: "info" },
  });
  const started = Date.now();
  await server.waitForLog((l) => l.msg === "GitHub repositories with rollouts found", 600_000);
  const registered = Date.now() - started;
  const passes: {
    ms: number;
    requests: number;
    counted: number;
    cpu: number;
    rss: number;
    what: string;
  }[] = [];
  let from = server.lines.length;
  let cpu = server.cpuMs();
  let mark = await fake.call<number>("count");
  for (let p = 0; p <= PASSES; p++) {
    const line = await server.waitForLog(
      (l) => l.msg === "evaluation pass done" && Number(l.rollouts) > 0,
      900_000,
      from,
    );
    from = server.lines.indexOf(line) + 1;
    const count = await fake.call<number>("count");
    const requests = await fake.requests(mark);
    const now = server.cpuMs();
    if (Number(line.repos) < REPOS) {
      // A pass that began while the registry was still filling: not the cold pass, nor an unchanged one.
      p--;
      cpu = now;
      mark = count;
      continue;
    }
    // What counted, by operation and status: the first thing to look at when a pass is not free.
    const byOperation = new Map<string, number>();
    for (const r of requests.filter((q) => q.status !== 304)) {
      const key = `${r.operation} ${r.status}`;
      byOperation.set(key, (byOperation.get(key) ?? 0) + 1);
    }
    passes.push({
      what: [...byOperation].map(([k, n]) => `${n} ${k}`).join(", "),
      ms: Number(line.ms),
      requests: requests.length,
      counted: requests.filter((r) => r.status !== 304).length,
      cpu: now - cpu,
      rss: server.rss(),
    });
    cpu = now;
    mark = count;
  }
  const [cold, ...warm] = passes;
  const rollouts = perRepo * REPOS;
  console.log(`${rollouts} rollouts across ${REPOS} repositories (registry filled in ${registered} ms):`);
  console.log(
    `  first pass (cold, baseline): ${cold!.ms} ms, ${cold!.requests} GitHub requests, ${cold!.counted} counted against the rate limit, server CPU ${cold!.cpu.toFixed(0)} ms`,
  );
  console.log(`    counted, by operation: ${cold!.what}`);
  console.log(
    `  unchanged passes (${warm.length}): ${spread(warm.map((p) => p.ms))} ms per pass; ${spread(warm.map((p) => p.requests))} requests, ${spread(warm.map((p) => p.counted))} counted against the rate limit; server CPU ${spread(warm.map((p) => p.cpu))} ms per pass (the interval between pass ends); ${load()}`,
  );
  console.log(
    `  RSS ${spread(passes.map((p) => p.rss / 1048576))} MB after each pass, peak ${mb(server.peakRss())}; baseline idle ${mb(idleRss)}`,
  );
  for (const [k, p] of warm.entries())
    if (p.counted > 0) console.log(`  unchanged pass ${k + 1} counted: ${p.what}`);
  await server.close();
  await fake.close();
}
