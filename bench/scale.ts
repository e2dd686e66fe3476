// 1,000 rollouts across 200 repositories on the (OpenAPI-checked) fake GitHub, evaluated by the
// server's scheduler in its own process (bench/scale-bot.ts):
// - memory: RSS and heap with the 1,000 rollouts loaded (after a cold and a warm tick), against the
//   same process idle before loading them;
// - one scheduler tick over the 1,000 unchanged rollouts: GitHub requests made and how many counted
//   against the rate limit (conditional requests answered 304 do not), against the cold first tick.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startFakeGitHub } from "../test/fakes/github/fake-github.ts";

const REPOS = 200;
const PER_REPO = 5;

const rollout = (i: number) => `stages:
  - percent: 10
    bake: 1d
  - percent: 50
    bake: 1d
  - percent: 100
workflows:
  rollback: rollback.yml
state:
  percent: ${[10, 50][i % 2]}
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

const fake = await startFakeGitHub();
for (let r = 0; r < REPOS; r++) {
  const files: Record<string, string> = {};
  for (let i = 0; i < PER_REPO; i++) files[`.github/rollouts/svc-${r}-${i}.yml`] = rollout(i);
  fake.state.seedRepo({ owner: "acme", name: `svc-${r}`, files });
}
const script = fileURLToPath(new URL("./scale-bot.ts", import.meta.url));
const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", script], {
  env: { ...process.env, FAKE_URL: fake.url, REPOS: String(REPOS) },
  maxBuffer: 1 << 20,
});
const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
  before: { rss: number; heap: number };
  after: { rss: number; heap: number };
  ticks: { start: number; end: number; decisions: number }[];
};
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
console.log(`scale: ${REPOS * PER_REPO} rollouts across ${REPOS} repositories`);
console.log(
  `memory   RSS ${mb(result.after.rss)} (heap ${mb(result.after.heap)}) loaded; baseline idle server ${mb(result.before.rss)} (heap ${mb(result.before.heap)}); +${mb(result.after.rss - result.before.rss)} RSS, ${((result.after.heap - result.before.heap) / 1024 / (REPOS * PER_REPO)).toFixed(1)} KB heap per rollout`,
);
for (const [i, tick] of result.ticks.entries()) {
  const requests = fake.requests.filter((r) => r.at >= tick.start && r.at <= tick.end);
  const notModified = requests.filter((r) => r.status === 304).length;
  console.log(
    `${i === 0 ? "tick (cold, baseline)" : "tick (1,000 unchanged)"}: ${tick.decisions} rollouts evaluated in ${tick.end - tick.start} ms, ${requests.length} GitHub requests, ${requests.length - notModified} counted against the rate limit, ${notModified} answered 304 (not counted)`,
  );
}
fake.assertClean();
await fake.close();
