// Ack time of `/rollout status`: a signed slash command sent over HTTP to the running server (Bolt's
// HTTPReceiver on the one node:http server, in-memory repository), timed until its ack (the HTTP
// answer Slack needs within 3 s) is read; median of N, against the median round trip of GET /healthz
// in the same run. The client runs in its own process, as Slack does, and also times the full answer
// posted to its response_url.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SIGNING_SECRET, startSlackHarness } from "../test/slack/slack-harness.ts";

const RUNS = Number(process.env.RUNS ?? 50);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const h = await startSlackHarness();
let result: { acks: number[]; answers: number[]; health: number[] };
try {
  const client = fileURLToPath(new URL("./slack-ack-client.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [client], {
    env: { ...process.env, URL: h.url, SECRET: SIGNING_SECRET, RUNS: String(RUNS), WARM_UP: "5" },
  });
  result = JSON.parse(stdout) as typeof result;
} finally {
  await h.close();
}
const base = median(result.health);
const figure = median(result.acks);
console.log(`/rollout status, signed, over HTTP to the running server, ${RUNS} runs, median`);
console.log(`baseline  GET /healthz round trip                      ${base.toFixed(2)} ms`);
console.log(
  `/rollout status → ack received                         ${figure.toFixed(2)} ms  (${(figure / base).toFixed(2)}× baseline; Slack allows 3000 ms)`,
);
console.log(`/rollout status → answer posted to response_url        ${median(result.answers).toFixed(2)} ms`);
