// Webhook ingest at steady state: signed `issue_comment.created` deliveries (a comment that is not a
// command, the common case), 16 in flight, to `node dist/server.js` (Probot mounted in the one HTTP
// server, delivery dedupe, metrics) and to a bare Probot app with an empty handler (bench/lib/
// bare-probot.ts), each in its own process, alternating rounds in the same run, ≥ 30,000 deliveries
// each. Per round: deliveries per second and p50/p99, and each server's CPU time per delivery
// (/proc schedstat: the figure that does not move with what else runs on the machine).
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/processes.ts";
import { examplePayload, sign } from "../test/helpers/webhooks.ts";
import { cpuMsOf, PRIVATE_KEY, startServer, WEBHOOK_SECRET } from "./lib/server-process.ts";
import { load, median, spread } from "./lib/stats.ts";

const ROUND = Number(process.env.ROUND ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = 16;
const PATH = "/api/github/webhooks";

const payload = examplePayload("issue_comment", "created", { owner: "acme", name: "shop" });
(payload.comment as Record<string, unknown>).body = "LGTM, thanks!";
const body = JSON.stringify(payload);
const signature = sign(body, WEBHOOK_SECRET);

async function blast(url: string, count: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      const sent = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "issue_comment",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
        },
        body,
      });
      await response.arrayBuffer();
      if (response.status >= 300) throw new Error(`delivery answered ${response.status}`);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: count / seconds, p50: at(0.5), p99: at(0.99) };
}

// The bot, as `npm start` runs it (GitHub pointed at an address nothing listens on: the comment is
// not a command, so no GitHub request is made).
const bot = await startServer({ githubHost: "127.0.0.1:9", env: { LOG_LEVEL: "warn" } });
const port = await freePort();
const bareChild = fork(fileURLToPath(new URL("./lib/bare-probot.ts", import.meta.url)), [], {
  execArgv: ["--import", "tsx"],
  env: { ...process.env, PORT: String(port), PRIVATE_KEY, WEBHOOK_SECRET },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
await new Promise((resolve) => bareChild.once("message", resolve));
for (;;) {
  try {
    await fetch(`${bot.url}/healthz`);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
const targets = {
  "bare Probot": { url: `http://127.0.0.1:${port}${PATH}`, pid: bareChild.pid! },
  "rollout-bot": { url: `${bot.url}${PATH}`, pid: bot.child.pid! },
};
for (const t of Object.values(targets)) await blast(t.url, 2_000); // warm-up
const rounds: Record<string, { perSecond: number; p50: number; p99: number; cpuPerDelivery: number }[]> = {
  "bare Probot": [],
  "rollout-bot": [],
};
console.log(
  `webhook ingest: ${ROUNDS} alternating rounds of ${ROUND} signed issue_comment deliveries each, ${CONCURRENCY} in flight; ${load()}`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, t] of Object.entries(targets)) {
    const cpu = cpuMsOf(t.pid);
    const r = await blast(t.url, ROUND);
    const cpuPerDelivery = (cpuMsOf(t.pid) - cpu) / ROUND;
    rounds[name]!.push({ ...r, cpuPerDelivery });
    console.log(
      `  round ${round} ${name.padEnd(12)} ${r.perSecond.toFixed(0).padStart(5)} deliveries/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, server CPU ${cpuPerDelivery.toFixed(3)} ms per delivery; ${load()}`,
    );
  }
}
const last = (name: string) => rounds[name]!.at(-1)!;
const ratio = (name: string, key: "perSecond" | "cpuPerDelivery") => rounds[name]!.map((r) => r[key]);
console.log(
  `rollout-bot after ${2_000 + ROUND * ROUNDS} deliveries: ${(last("rollout-bot").perSecond / last("bare Probot").perSecond).toFixed(2)}× bare Probot's throughput in the last round (per round ${spread(
    ratio("rollout-bot", "perSecond").map((v, i) => v / ratio("bare Probot", "perSecond")[i]!),
    2,
  )}); CPU per delivery ${median(ratio("rollout-bot", "cpuPerDelivery")).toFixed(3)} ms vs bare Probot ${median(ratio("bare Probot", "cpuPerDelivery")).toFixed(3)} ms (${(median(ratio("bare Probot", "cpuPerDelivery")) / median(ratio("rollout-bot", "cpuPerDelivery"))).toFixed(2)}× bare Probot's efficiency); ${load()}`,
);
await bot.close();
bareChild.kill();
