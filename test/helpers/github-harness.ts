import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { type Series, SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { createApp } from "../../src/main/app.ts";
import { localServices } from "../../src/main/coordination.ts";
import { createGitHubSurface, GITHUB_WEBHOOKS_PATH } from "../../src/main/github.ts";
import type { RouteHandler } from "../../src/surfaces/http/app-server.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { deliver, examplePayload } from "./webhooks.ts";

export const SECRET = "webhook-secret-for-tests";
export const REPO = { owner: "acme", name: "shop" };
export const FULL = "acme/shop";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const WORKFLOWS = {
  ".github/workflows/rollback.yml": `on:
  workflow_dispatch:
    inputs:
      rollout: { required: true }
      from: { required: true }
      to: { required: true }
      reason: { required: false }
jobs:
  rollback: { runs-on: ubuntu-latest, steps: [{ run: echo rollback }] }
`,
  ".github/workflows/deploy.yml": `on:
  workflow_dispatch:
    inputs:
      rollout: { required: true }
      from: { required: true }
      to: { required: true }
jobs:
  deploy: { runs-on: ubuntu-latest, steps: [{ run: echo deploy }] }
`,
};

/** The real server with the Probot app mounted, talking to a fake GitHub over HTTP (GHE_HOST). */
export async function startGitHubApp(options: {
  files: Record<string, string>;
  collaborators?: Record<string, "admin" | "write" | "read" | "none">;
  series?: Record<string, Series>;
  protected?: boolean;
  latencyMs?: number;
  throttle?: boolean;
  /** ALERT_WEBHOOK_TOKEN: alerts accepted with it (none by default). */
  alertToken?: string;
}) {
  const fake: FakeGitHub = await startFakeGitHub({ latencyMs: options.latencyMs ?? 0 });
  fake.state.clock.set("2026-11-22T10:00:00Z");
  fake.state.seedRepo({
    ...REPO,
    files: { ...WORKFLOWS, ...options.files },
    collaborators: {
      alice: "write",
      bob: "write",
      carol: "admin",
      viewer: "read",
      ...(options.collaborators ?? {}),
    },
    ...(options.protected ? { protected: true } : {}),
  });
  const notifier = new RecordingNotifier();
  const metrics = new SimulatedMetrics(options.series ?? { error_rate: () => 0.001 });
  const clock = { now: () => fake.state.clock.now() };
  const env = {
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "fatal",
  };
  const services = localServices({ metrics: () => metrics, notifier, clock, logger: silentLogger });
  const github = await createGitHubSurface(env as NodeJS.ProcessEnv, services, {
    throttle: options.throttle ?? false,
  });
  github.registry.seen(1, REPO.owner, REPO.name);
  const app = createApp({
    services,
    registry: github.registry,
    alertToken: options.alertToken,
    extraRoutes: new Map<string, RouteHandler>([[GITHUB_WEBHOOKS_PATH, github.route]]),
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const people = new Map<string, Octokit>();
  /** A person's client, for what people do on GitHub (comment, merge, review). */
  const as = (login: string): Octokit => {
    let client = people.get(login);
    if (!client) {
      fake.state.addToken(`user-${login}`, login);
      client = new Octokit({ auth: `user-${login}`, baseUrl: fake.url });
      people.set(login, client);
    }
    return client;
  };
  const carol = as("carol");
  // Comments live on pull requests in the fake (a PR is an issue): one PR to talk on.
  fake.state.push(`${REPO.owner}/${REPO.name}`, { branch: "discussion", files: { "NOTES.md": "notes\n" } });
  const discussion = (
    await carol.rest.pulls.create({
      owner: REPO.owner,
      repo: REPO.name,
      head: "discussion",
      base: "main",
      title: "Release notes",
    })
  ).data.number;
  /** `secret: null` sends the delivery unsigned. */
  const send = (event: string, payload: Record<string, unknown>, secret: string | null = SECRET) =>
    deliver(`${url}${GITHUB_WEBHOOKS_PATH}`, event, payload, secret ?? undefined);
  return {
    fake,
    app,
    services,
    url,
    notifier,
    clock,
    carol,
    as,
    github,
    discussion,
    send,
    payload: (event: string, action?: string) => examplePayload(event, action, REPO),
    close: async () => {
      await app.close();
      await fake.close();
    },
  };
}

/**
 * A person comments on the discussion PR (for real, on the fake), and GitHub's issue_comment.created
 * payload from the examples is re-pointed at that comment.
 */
export async function commentPayload(
  harness: {
    payload: (e: string, a?: string) => Record<string, unknown>;
    as: (login: string) => Octokit;
    discussion: number;
  },
  body: string,
  login: string,
) {
  const { data } = await harness.as(login).rest.issues.createComment({
    owner: REPO.owner,
    repo: REPO.name,
    issue_number: harness.discussion,
    body,
  });
  const p = harness.payload("issue_comment", "created");
  const comment = p.comment as Record<string, unknown>;
  p.comment = { ...comment, id: data.id, body, user: { ...(comment.user as object), login, type: "User" } };
  p.issue = { ...(p.issue as object), number: harness.discussion };
  p.sender = { ...(p.sender as object), login, type: "User" };
  return p;
}

/**
 * A `pull_request` or `pull_request_review` webhook for a PR as the fake holds it now: the example
 * payload with its `pull_request` replaced by what GitHub's API answers for that PR (author, head
 * repository, merge commit), so a handler sees exactly what GitHub would send.
 */
export async function pullPayload(
  harness: {
    payload: (e: string, a?: string) => Record<string, unknown>;
    as: (login: string) => Octokit;
  },
  event: "pull_request" | "pull_request_review",
  action: string,
  number: number,
  sender = "carol",
) {
  const { data } = await harness
    .as(sender)
    .rest.pulls.get({ owner: REPO.owner, repo: REPO.name, pull_number: number });
  const p = harness.payload(event, action);
  p.pull_request = data;
  p.sender = { ...(p.sender as object), login: sender, type: "User" };
  return p;
}
