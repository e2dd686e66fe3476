// CLI start-up: `rollout status` on every example repository, median of N runs, against a bare
// `node -e ""` start measured in the same run (the floor no Node CLI can beat).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { performance } from "node:perf_hooks";

const RUNS = Number(process.env.RUNS ?? 10);
execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(args) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: "utf8", env: { PATH: process.env.PATH } });
    samples.push(performance.now() - start);
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return median(samples);
}

const baseline = time(["-e", ""]);
console.log(
  `machine: ${process.platform} ${process.arch}, node ${process.version}, ${RUNS} runs each, median`,
);
console.log(`baseline  node -e ""                                   ${baseline.toFixed(1)} ms`);
const examples = readdirSync("examples", { withFileTypes: true }).filter(
  (d) => d.isDirectory() && existsSync(`examples/${d.name}/.github`),
);
for (const example of examples) {
  const ms = time(["dist/cli.js", "status", "--dir", `examples/${example.name}`]);
  console.log(
    `rollout status --dir examples/${example.name.padEnd(16)} ${ms.toFixed(1)} ms  (${(ms / baseline).toFixed(2)}× bare node, +${(ms - baseline).toFixed(1)} ms)`,
  );
}
