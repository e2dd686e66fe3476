import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../helpers/processes.ts";
import { tempRepo } from "../helpers/temp-repo.ts";
import { BOT_TOKEN, ROLLOUT_PATH, rolloutFile, SIGNING_SECRET, sign } from "./slack-harness.ts";

/** `npm start` (the bundle) with Slack configured but unreachable: it starts and serves everything else. */

let child: ChildProcess | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  child?.kill("SIGTERM");
  child = undefined;
  for (const close of closers.splice(0)) await close();
});

describe("npm start with Slack unreachable", () => {
  it("serves health, alerts and signed Slack commands; Slack is only needed to post", async () => {
    const replies: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      req.on("end", () => {
        replies.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => hook.close(() => resolve())));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/commands/1`;

    const dir = tempRepo({ [ROLLOUT_PATH]: rolloutFile(10) });
    const port = await freePort();
    const nowhere = await freePort(); // nothing listens: connection refused
    child = spawn(process.execPath, ["dist/server.js"], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: "127.0.0.1",
        ROLLOUT_REPO_DIR: dir,
        ROLLOUT_REPO_NAME: "acme/shop",
        ALERT_WEBHOOK_TOKEN: "alert-token-0123456789abcdef",
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: `http://127.0.0.1:${nowhere}/api/`,
        SLACK_DEFAULT_CHANNEL: "C0DEPLOYS",
        SLACK_TEAM_ID: "T0TEAM",
        LOG_LEVEL: "silent",
      },
      stdio: "ignore",
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor("healthz", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 15_000);

    const body = new URLSearchParams({
      team_id: "T0TEAM",
      channel_id: "C0DEPLOYS",
      user_id: "U0LEAD01",
      user_name: "lead",
      command: "/rollout",
      text: "status checkout",
      response_url: hookUrl,
      trigger_id: "1.trigger",
    }).toString();
    const ack = await fetch(`${base}/slack/events`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...sign(body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(ack.status).toBe(200);
    await waitFor("the reply", async () => (replies.length > 0 ? true : undefined), 10_000);
    expect(replies[0]).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringMatching(/^🟡 checkout at 10%/),
    }); // yellow: no metrics source here

    const forged = await fetch(`${base}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...sign(body, 1, "wrong") },
      body,
    });
    expect(forged.status).toBe(401);

    const alerts = await fetch(`${base}/alerts/generic`, { method: "POST", body: "{}" });
    expect(alerts.status).toBe(401); // the alert inbox answers (and wants its token)
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });
});
