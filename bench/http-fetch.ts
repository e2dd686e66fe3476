// CPU per GitHub request in the bot's process, by transport: Node's global fetch (undici) against the
// fetch the bot gives Octokit (src/adapters/http/http-fetch.ts), bare and under Probot's installation
// client as the server builds it (its plugins, ours, the deadline per attempt). The fake GitHub runs in
// its own process, so only this process's CPU (process.cpuUsage) is counted. Rounds alternate between
// the variants; each prints min/median/max of its rounds' CPU per request.

import { createProbot, ProbotOctokit } from "probot";
import { ConcurrencyGroup, RetryLimiter } from "../src/adapters/github/light-limiters.ts";
import { octokitRetry } from "../src/adapters/github/octokit-retry.ts";
import { timedFetch } from "../src/adapters/github/timed-fetch.ts";
import { unpacedWrites, WriteLanes } from "../src/adapters/github/write-lanes.ts";
import { httpFetch } from "../src/adapters/http/http-fetch.ts";
import { startFakeGitHubProcess } from "./lib/fake-github-process.ts";
import { PRIVATE_KEY, WEBHOOK_SECRET } from "./lib/server-process.ts";
import { load, spread } from "./lib/stats.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PER_ROUND = Number(process.env.PER_ROUND ?? 300);
const PATH = ".github/rollouts/svc.yml";

const fake = await startFakeGitHubProcess();
await fake.call("seed", {
  repos: [{ owner: "acme", name: "shop", files: { [PATH]: "stages:\n  - percent: 100\n" } }],
});

const lanes = new WriteLanes();
const ServerOctokit = ProbotOctokit.plugin(octokitRetry as never, lanes.plugin() as never).defaults(
  (o: { throttle?: object }) => ({
    ...o,
    retry: { enabled: false },
    throttle: {
      ...o.throttle,
      write: unpacedWrites,
      retryLimiter: new RetryLimiter(),
      global: new ConcurrencyGroup(10),
    },
  }),
);
const probotFor = (fetch: typeof httpFetch) =>
  createProbot({
    env: {
      APP_ID: "1",
      PRIVATE_KEY,
      WEBHOOK_SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "warn",
    },
    overrides: { Octokit: ServerOctokit, request: { fetch } },
  });
type Client = { request: (route: string, params: object) => Promise<unknown> };
async function installationClient(fetch: typeof httpFetch): Promise<Client> {
  const probot = probotFor(fetch);
  const app = (await probot.auth()) as unknown as { request: Client["request"] };
  const { data } = (await app.request("GET /app/installations", {})) as { data: { id: number }[] };
  return (await probot.auth(data[0]!.id)) as unknown as Client;
}

const viaUndici = await installationClient(timedFetch(15_000, fetch));
const viaHttp = await installationClient(timedFetch());
const { data: token } = (await ((await probotFor(httpFetch).auth()) as unknown as Client).request(
  "POST /app/installations/{installation_id}/access_tokens",
  { installation_id: 1 },
)) as { data: { token: string } };
const url = `${fake.url}/repos/acme/shop/contents/${encodeURIComponent(PATH)}`;
const headers = { authorization: `token ${token.token}`, accept: "application/vnd.github+json" };
const params = { owner: "acme", repo: "shop", path: PATH };
const route = "GET /repos/{owner}/{repo}/contents/{path}";

const variants: [string, () => Promise<unknown>][] = [
  ["global fetch (undici)", async () => (await fetch(url, { headers })).json()],
  ["httpFetch", async () => (await httpFetch(url, { headers })).json()],
  ["Probot's client on global fetch", () => viaUndici.request(route, params)],
  ["Probot's client on httpFetch (shipped)", () => viaHttp.request(route, params)],
];

const cpu = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (const [, run] of variants) for (let i = 0; i < 100; i++) await run(); // JIT and sockets warm
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of variants) {
    const start = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) await run();
    const used = process.cpuUsage(start);
    cpu.get(name)!.push((used.user + used.system) / 1000 / PER_ROUND);
  }
}
console.log(`CPU per GitHub request in the client's process, ${ROUNDS} rounds of ${PER_ROUND}; ${load()}`);
for (const [name, values] of cpu) console.log(`  ${name.padEnd(40)} ${spread(values, 3)} ms`);
await fake.close();
process.exit(0);
