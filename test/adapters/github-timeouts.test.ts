import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { githubOctokit } from "../../src/adapters/github/github-client.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { localServices } from "../../src/main/coordination.ts";
import { createGitHubSurface } from "../../src/main/github.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";
import { startRecorder } from "../helpers/attacker.ts";

/**
 * Issue 11, finding 7 (GitHub half): no GitHub request had a timeout, so a GitHub that holds a
 * connection held the command, and its lease, for as long. Each attempt now has a deadline, on the
 * Action's and CLI's Octokit and on Probot's (REST calls and installation-token minting).
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function hangingGitHub() {
  const server = await startRecorder(() => new Promise(() => {}));
  closers.push(server.close);
  return server;
}

async function elapsed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - started, error };
}

describe("GitHub requests have a deadline", () => {
  it("the token client (Action, CLI --repo) gives up on a GitHub that never answers", async () => {
    const github = await hangingGitHub();
    const octokit = githubOctokit({
      token: "t",
      apiUrl: github.url,
      userAgent: "test",
      requestTimeoutMs: 300,
    });
    const { ms, error } = await elapsed(
      octokit.rest.repos.get({ owner: "acme", repo: "shop", request: { retries: 0 } }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(2_000);
    expect(github.received).toHaveLength(1);
  });

  it("Probot's Octokit and its token minting give up on a GitHub that never answers", async () => {
    const github = await hangingGitHub();
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const surface = await createGitHubSurface(
      {
        APP_ID: "1",
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: "secret",
        GHE_HOST: new URL(github.url).host,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "fatal",
      } as NodeJS.ProcessEnv,
      localServices({
        metrics: () => undefined,
        notifier: new RecordingNotifier(),
        clock: { now: () => new Date() },
        logger: silentLogger,
      }),
      { throttle: false, requestTimeoutMs: 300, retries: 0 },
    );
    const app = await surface.probot.auth();
    const rest = await elapsed(app.request("GET /app"));
    expect(rest.error).toBeInstanceOf(Error);
    expect(rest.ms).toBeLessThan(2_000);
    // An installation's first request mints its token first: that request has the deadline too.
    const installation = await surface.probot.auth(1);
    const minting = await elapsed(
      installation.request("GET /repos/{owner}/{repo}", {
        owner: "acme",
        repo: "shop",
      }),
    );
    expect(minting.error).toBeInstanceOf(Error);
    expect(minting.ms).toBeLessThan(2_000);
    expect(github.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /api/v3/app",
      "POST /api/v3/app/installations/1/access_tokens",
    ]);
  });
});
