// The Slack side of bench/slack-ack.ts, in its own process (as Slack is): sends signed `/rollout status`
// commands, times each ack, and hosts the response_url endpoint to time each answer. Prints JSON.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";

const { URL: base, SECRET: secret, RUNS, WARM_UP } = process.env;
const runs = Number(RUNS);
const warmUp = Number(WARM_UP);

let answered;
const hook = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.end("ok");
    answered?.(performance.now());
  });
});
await new Promise((resolve) => hook.listen(0, "127.0.0.1", resolve));
const responseUrl = `http://127.0.0.1:${hook.address().port}/commands/T0TEAM/1/hook`;

const result = { acks: [], answers: [], health: [] };
for (let i = 0; i < warmUp + runs; i++) {
  const healthStart = performance.now();
  await (await fetch(`${base}/healthz`)).arrayBuffer();
  const health = performance.now() - healthStart;

  const body = new URLSearchParams({
    team_id: "T0TEAM",
    channel_id: "C0DEPLOYS",
    user_id: "U0LEAD01",
    user_name: "lead",
    command: "/rollout",
    text: "status checkout",
    response_url: responseUrl,
    trigger_id: `${i}.trigger`,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  const answer = new Promise((resolve) => {
    answered = resolve;
  });
  const sent = performance.now();
  const response = await fetch(`${base}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": `v0=${signature}`,
    },
    body,
  });
  const text = await response.text();
  const ack = performance.now() - sent;
  if (response.status !== 200 || !text.includes("working on")) {
    throw new Error(`unexpected ack: ${response.status} ${text}`);
  }
  const answeredAt = await answer;
  if (i < warmUp) continue;
  result.acks.push(ack);
  result.answers.push(answeredAt - sent);
  result.health.push(health);
}
hook.close();
process.stdout.write(JSON.stringify(result));
