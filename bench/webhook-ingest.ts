// Webhook ingest: signed `issue_comment.created` deliveries (a comment that is not a command, the
// common case) POSTed to the bot's server — Probot mounted in the one HTTP server, delivery dedupe,
// metrics — with 16 in flight, against a bare Probot app (createNodeMiddleware, an empty handler)
// taking the same deliveries in the same run: deliveries per second and p99 latency.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createNodeMiddleware, createProbot } from "probot";
import { silentLogger } from "../src/adapters/log/logger.ts";
import { createApp } from "../src/main/app.ts";
import { localServices } from "../src/main/coordination.ts";
import { createGitHubSurface, GITHUB_WEBHOOKS_PATH } from "../src/main/github.ts";
import type { RouteHandler } from "../src/surfaces/http/app-server.ts";
import { RecordingNotifier } from "../test/doubles/recording-notifier.ts";
import { examplePayload, sign } from "../test/helpers/webhooks.ts";

const DELIVERIES = Number(process.env.DELIVERIES ?? 3000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const SECRET = "bench-webhook-secret";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const env = {
  APP_ID: "1",
  PRIVATE_KEY: privateKey,
  WEBHOOK_SECRET: SECRET,
  GHE_HOST: "127.0.0.1:9",
  GHE_PROTOCOL: "http",
  LOG_LEVEL: "fatal",
} as NodeJS.ProcessEnv;

const payload = examplePayload("issue_comment", "created", { owner: "acme", name: "shop" });
(payload.comment as Record<string, unknown>).body = "LGTM, thanks!";
const body = JSON.stringify(payload);
const signature = sign(body, SECRET);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${GITHUB_WEBHOOKS_PATH}`;
}

async function load(url: string, count: number): Promise<{ perSecond: number; p50: number; p99: number }> {
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
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: count / elapsed, p50: at(0.5), p99: at(0.99) };
}

// The bot: the server as `npm start` builds it (Probot route, delivery dedupe, alert inbox, metrics).
const github = await createGitHubSurface(
  env,
  localServices({
    metrics: () => undefined,
    notifier: new RecordingNotifier(),
    clock: { now: () => new Date() },
    logger: silentLogger,
  }),
);
const app = createApp({
  services: localServices({
    metrics: () => undefined,
    notifier: new RecordingNotifier(),
    clock: { now: () => new Date() },
    logger: silentLogger,
  }),
  registry: github.registry,
  alertToken: undefined,
  extraRoutes: new Map<string, RouteHandler>([[GITHUB_WEBHOOKS_PATH, github.route]]),
});
const botUrl = await listen(app.server);

// The baseline: a bare Probot app with an empty handler on a plain node:http server.
const probot = createProbot({ env });
const middleware = await createNodeMiddleware(
  (p) => {
    p.on("issue_comment.created", async () => {});
  },
  { probot, webhooksPath: GITHUB_WEBHOOKS_PATH },
);
const bare = createServer((req, res) => {
  middleware(req, res, () => {
    res.writeHead(404);
    res.end();
  });
});
const bareUrl = await listen(bare);

await load(bareUrl, 300); // warm-up both
await load(botUrl, 300);
const results: Record<string, Awaited<ReturnType<typeof load>>> = {};
// Alternate, so neither side always runs on a warmer machine.
for (const round of [1, 2]) {
  for (const [name, url] of [
    ["bare Probot", bareUrl],
    ["rollout-bot", botUrl],
  ] as const) {
    const r = await load(url, DELIVERIES / 2);
    const seen = results[name];
    results[name] = seen
      ? {
          perSecond: (seen.perSecond + r.perSecond) / 2,
          p50: Math.max(seen.p50, r.p50),
          p99: Math.max(seen.p99, r.p99),
        }
      : r;
    void round;
  }
}
console.log(`webhook ingest: ${DELIVERIES} signed issue_comment deliveries each, ${CONCURRENCY} in flight`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(12)} ${r.perSecond.toFixed(0).padStart(5)} deliveries/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
  );
}
const bot = results["rollout-bot"]!;
const base = results["bare Probot"]!;
console.log(
  `rollout-bot / bare Probot: ${(bot.perSecond / base.perSecond).toFixed(2)}× the throughput, ${(bot.p99 / base.p99).toFixed(2)}× the p99`,
);
await app.close();
await new Promise<void>((resolve) => bare.close(() => resolve()));
