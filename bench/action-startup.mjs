// The Action as a runner starts it: `node dist/action.js` with INPUT_* / GITHUB_* env and the output
// and summary files, for `status` and `tick` against the GitHub fake (on loopback, no latency) and a
// Prometheus stand-in; median of N runs each, against a bare `node -e ""` started the same way in the
// same run. Also the bundle's size. Run with tsx (it imports the TypeScript fakes): npm run bench.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { startPrometheus } from "../test/action/runner.ts";
import { startFakeGitHub } from "../test/fakes/github/fake-github.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../test/helpers/command-context.ts";

const RUNS = Number(process.env.RUNS ?? 10);
execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Async, so the in-process fakes answer while the child runs. */
function start(args, env) {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    execFile(process.execPath, args, { env, encoding: "utf8" }, (error, stdout) => {
      const ms = performance.now() - began;
      if (error) reject(new Error(`${args.join(" ")} exited ${error.code}: ${stdout}`));
      else resolve(ms);
    });
  });
}

async function time(args, env = { PATH: process.env.PATH }) {
  const samples = [];
  const requests = [];
  await start(args, typeof env === "function" ? env() : env); // warm the file cache; not counted
  for (let i = 0; i < RUNS; i++) {
    const before = fake.requests.length;
    samples.push(await start(args, typeof env === "function" ? env() : env));
    requests.push(fake.requests.length - before);
  }
  return { ms: median(samples), requests };
}

const fake = await startFakeGitHub();
const prometheus = await startPrometheus();
// Holding at 10% for 3h (bake 1h) with no auto-advance: a tick evaluates, queries and posts status.
const started = new Date(Date.now() - 3 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const plan = CHECKOUT_PLAN.replace("started_at: 2026-11-22T08:00:00Z", `started_at: ${started}`).replace(
  "automation:\n  auto_advance: true\n",
  'notify:\n  schedule: "* * * * *"\n',
);
fake.state.seedRepo({
  owner: "acme",
  name: "shop",
  files: { [ROLLOUT_PATH]: plan, "config.py": CONFIG_PY },
  collaborators: { alice: "write" },
});

const temp = mkdtempSync(join(tmpdir(), "rollout-action-bench-"));
const runnerEnv = (command) => () => {
  const output = join(temp, "output");
  const summary = join(temp, "summary");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  return {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "acme/shop",
    GITHUB_API_URL: fake.url,
    GITHUB_ACTOR: "alice",
    GITHUB_WORKSPACE: temp,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: temp,
    PROMETHEUS_URL: prometheus.url,
    INPUT_COMMAND: command,
    INPUT_ROLLOUT: "",
    INPUT_TO: "",
    INPUT_REASON: "",
    "INPUT_DRY-RUN": "false",
    "INPUT_GITHUB-TOKEN": "ghs_bench",
    "INPUT_SLACK-TOKEN": "",
    "INPUT_SLACK-CHANNEL": "",
    INPUT_INTERVAL: "15m",
  };
};

try {
  const bundle = readFileSync("dist/action.js");
  const baseline = (await time(["-e", ""])).ms;
  const status = await time(["dist/action.js"], runnerEnv("status"));
  const tick = await time(["dist/action.js"], runnerEnv("tick"));
  fake.assertClean();
  const row = (label, { ms, requests }) =>
    console.log(
      `${label.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms  (${(ms / baseline).toFixed(2)}× bare node, +${(ms - baseline).toFixed(1)} ms), GitHub requests per run: ${[...new Set(requests)].join("/")}`,
    );
  console.log(
    `machine: ${process.platform} ${process.arch}, node ${process.version}, ${RUNS} runs each, median`,
  );
  console.log(
    `dist/action.js            ${(statSync("dist/action.js").size / 1024).toFixed(0)} KiB (${(gzipSync(bundle).length / 1024).toFixed(0)} KiB gzipped)`,
  );
  console.log(`baseline  node -e ""        ${baseline.toFixed(1).padStart(7)} ms`);
  row("action status", status);
  row("action tick", tick);
} finally {
  await fake.close();
  await prometheus.close();
}
