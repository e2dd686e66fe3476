// The bot's side of bench/scale.ts, in its own process (so the fake GitHub's memory is not counted):
// the server's scheduler over 200 GitHub repositories, one cold and one warm tick; prints JSON.

import { EtagCache } from "../src/adapters/github/etag-cache.ts";
import { ResilientOctokit } from "../src/adapters/github/github-client.ts";
import { GitHubRepoStore } from "../src/adapters/github/github-repo-store.ts";
import { throttleHandlers } from "../src/adapters/github/octokit-policy.ts";
import { StaticRegistry } from "../src/adapters/local/static-registry.ts";
import { silentLogger } from "../src/adapters/log/logger.ts";
import { createApp } from "../src/main/app.ts";
import { localServices } from "../src/main/coordination.ts";
import type { RepoStore } from "../src/ports.ts";
import { RecordingNotifier } from "../test/doubles/recording-notifier.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const memory = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
};

const url = process.env.FAKE_URL ?? "";
const repos = Number(process.env.REPOS ?? 200);
const stores: RepoStore[] = [];
const app = createApp({
  services: localServices({
    metrics: () => undefined,
    notifier: new RecordingNotifier(),
    clock: { now: () => new Date() },
    logger: silentLogger,
  }),
  registry: new StaticRegistry(stores),
  alertToken: undefined,
});
await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
await app.scheduler.runOnce(); // an idle server: nothing to evaluate
const before = memory();
const octokit = new ResilientOctokit({
  auth: "token",
  baseUrl: url,
  log: { debug() {}, info() {}, warn() {}, error() {} },
  throttle: throttleHandlers(silentLogger),
});
const etags = new EtagCache();
for (let i = 0; i < repos; i++)
  stores.push(new GitHubRepoStore(octokit, { owner: "acme", repo: `svc-${i}`, etags }));
const ticks: { start: number; end: number; decisions: number }[] = [];
for (let i = 0; i < 2; i++) {
  const start = Date.now();
  const decisions = await app.scheduler.runOnce();
  ticks.push({ start, end: Date.now(), decisions: decisions.length });
}
const after = memory();
await app.close();
console.log(JSON.stringify({ before, after, ticks }));
