/**
 * The status page's load time with 100 rollouts (10 repositories × 10), min / median / max:
 *  - local: the real server (createApp + the page) over in-memory repositories, the local viewer;
 *  - github: the real server with the GitHub App against the fake GitHub over loopback, a signed-in
 *    viewer (a permission lookup per repository, every file read through the API, bump PRs listed);
 * each as the server's time to the full HTML of the list (`GET /`), and as Debian's Chromium's time to
 * a ready page (navigation → `load` → charts drawn, i.e. `html[data-ready]`) for the list and for one
 * rollout page with its charts. Metrics are simulated (the range queries are the same calls).
 *
 *   npx tsx bench/status-page.ts          (RUNS=20 by default)
 */
import type { AddressInfo } from "node:net";
import { StaticRegistry } from "../src/adapters/local/static-registry.ts";
import { silentLogger } from "../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../src/adapters/prometheus/simulated-metrics.ts";
import { createApp } from "../src/main/app.ts";
import { localServices } from "../src/main/coordination.ts";
import { createWebSurface, liveUpdates } from "../src/main/web.ts";
import { MemoryRepoStore } from "../test/doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../test/doubles/recording-notifier.ts";
import { launchChromium } from "../test/helpers/browser.ts";
import { startWebApp } from "../test/helpers/web-harness.ts";

const RUNS = Number(process.env.RUNS ?? 20);
const REPOS = 10;
const PER_REPO = 10;
const startedAt = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");

const plan = (i: number) => `metrics:
  queries:
    error_rate: { query: "sum(rate(errors[5m])) / sum(rate(requests[5m]))", unit: fraction }
    p99: { query: "p99", unit: seconds }
stages:
  - percent: 10
    bake: 4h
    criteria:
      - { metric: error_rate, below: 1%, for: stage }
      - { metric: p99, below: 0.8 }
  - percent: 50
    bake: 8h
  - percent: 100
rollback:
  triggers:
    - { metric: error_rate, above: 5%, for: 5m }
state:
  percent: ${i % 3 === 0 ? 50 : 10}
  phase: baking
  started_at: ${startedAt}
`;

function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let r = 0; r < PER_REPO; r++) out[`.github/rollouts/rollout-${r}.yml`] = plan(r);
  return out;
}

const metrics = new SimulatedMetrics({
  error_rate: (t) => 0.002 + 0.001 * Math.sin(t.getTime() / 600_000),
  p99: (t) => 0.3 + 0.05 * Math.sin(t.getTime() / 900_000),
});

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const f = (n: number) => n.toFixed(0).padStart(5);
  return `min ${f(sorted[0] ?? Number.NaN)} ms · median ${f(median)} ms · max ${f(sorted.at(-1) ?? Number.NaN)} ms`;
}

async function timeFetch(url: string, cookie: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  const text = await response.text();
  if (response.status !== 200 || !text.includes("rollout-9"))
    throw new Error(`GET ${url}: ${response.status}`);
  return performance.now() - start;
}

async function startLocal() {
  const stores = Array.from({ length: REPOS }, (_, i) => new MemoryRepoStore(`team-${i}/service`, files()));
  const live = liveUpdates(silentLogger, 3_600_000);
  const services = localServices({
    metrics: () => metrics,
    notifier: live.watch(new RecordingNotifier()),
    clock: { now: () => new Date() },
    logger: silentLogger,
  });
  const registry = new StaticRegistry(stores);
  const web = createWebSurface({ env: {}, services, registry, live, localMode: true });
  const app = createApp({ services, registry, alertToken: undefined, extraRoutes: web.routes });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const close = async () => {
    web.close();
    await app.close();
  };
  return { url, close };
}

async function main() {
  const browser = await launchChromium();
  console.log(
    `status page with ${REPOS * PER_REPO} rollouts (${REPOS} repositories × ${PER_REPO}), ${RUNS} runs each`,
  );
  const local = await startLocal();
  const github = await startWebApp({
    metrics,
    repos: Array.from({ length: REPOS }, (_, i) => ({
      owner: `team-${i}`,
      name: "service",
      files: files(),
      collaborators: { alice: "write" as const },
    })),
  });
  try {
    for (const [name, url, login] of [
      ["local ", local.url, undefined],
      ["github", github.url, "alice"],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${url}/`);
      if (login) {
        await page.getByLabel("Username").fill(login);
        await page.getByRole("button", { name: /Authorize/ }).click();
        await page.waitForURL(`${url}/`);
      }
      const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
      const server: number[] = [];
      const listLoad: number[] = [];
      const rolloutLoad: number[] = [];
      await timeFetch(`${url}/`, cookie); // warm-up
      for (let i = 0; i < RUNS; i++) server.push(await timeFetch(`${url}/`, cookie));
      const rolloutUrl = `${url}/rollout?repo=team-3%2Fservice&id=rollout-1`;
      for (let i = 0; i < RUNS; i++) {
        for (const [target, into] of [
          [`${url}/`, listLoad],
          [rolloutUrl, rolloutLoad],
        ] as const) {
          const start = performance.now();
          await page.goto(target, { waitUntil: "load" });
          await page.waitForSelector("html[data-ready]");
          into.push(performance.now() - start);
        }
      }
      const before = github.fake.requests.length;
      const charged = github.fake.rateLimit.counted;
      await timeFetch(`${url}/`, cookie);
      const requests = github.fake.requests.length - before;
      const counted = github.fake.rateLimit.counted - charged;
      const rows = await page.goto(`${url}/`).then(() => page.locator("tr[data-rollout]").count());
      const calls = login ? `, ${requests} GitHub requests of which ${counted} charged (the rest 304)` : "";
      console.log(`${name} GET / (server, full HTML, ${rows} rows${calls}): ${stats(server)}`);
      console.log(`${name} list in Chromium, ready:             ${stats(listLoad)}`);
      console.log(`${name} rollout page in Chromium, charts drawn: ${stats(rolloutLoad)}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await local.close();
    await github.close();
  }
}

await main();
