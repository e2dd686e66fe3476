import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, OpenFeature } from "@openfeature/server-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inRollout } from "../../src/bucketing/index.ts";
import { fileRolloutSource, githubRolloutSource, RolloutBotProvider } from "../../src/openfeature/index.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";

/** The provider through the real OpenFeature server SDK, reading rollout files from disk and from GitHub. */

const rollout = (percent: number, extra = "") => `# the checkout rewrite
stages:
  - percent: 5
  - percent: 25
  - percent: 50
  - percent: 100
${extra}state:
  percent: ${percent}
  phase: baking
`;
const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

class Clock {
  t = 1_000_000;
  now = () => this.t;
}

async function clientFor(provider: RolloutBotProvider, domain: string) {
  await OpenFeature.setProviderAndWait(domain, provider);
  return OpenFeature.getClient(domain);
}

afterEach(async () => {
  await OpenFeature.clearProviders();
});

describe("RolloutBotProvider from a local checkout", () => {
  const dir = mkdtempSync(join(tmpdir(), "of-provider-"));
  mkdirSync(join(dir, ".github/rollouts"), { recursive: true });
  const write = (id: string, text: string) => writeFileSync(join(dir, ".github/rollouts", `${id}.yml`), text);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lets in exactly the users inRollout lets in at the file's percentage, and follows a change", async () => {
    write("checkout", rollout(25, "bucketing:\n  salt: 9f1c2e\n"));
    const clock = new Clock();
    const client = await clientFor(
      new RolloutBotProvider({ source: fileRolloutSource(dir), refreshMs: 10_000, now: clock.now }),
      "file-split",
    );
    const at25 = await Promise.all(
      users.map((u) => client.getBooleanValue("checkout", false, { targetingKey: u })),
    );
    expect(at25).toEqual(users.map((userId) => inRollout({ salt: "9f1c2e", percent: 25, userId })));
    expect(at25.filter(Boolean).length / users.length).toBeCloseTo(0.25, 1);
    const details = await client.getBooleanDetails("checkout", false, { targetingKey: "user-1" });
    expect(details).toMatchObject({ reason: "SPLIT", flagMetadata: { percent: 25, phase: "baking" } });

    write("checkout", rollout(50, "bucketing:\n  salt: 9f1c2e\n"));
    // Not re-read before refreshMs…
    expect(await client.getBooleanDetails("checkout", false, { targetingKey: "u" })).toMatchObject({
      flagMetadata: { percent: 25 },
    });
    clock.t += 10_000;
    const at50 = await Promise.all(
      users.map((u) => client.getBooleanValue("checkout", false, { targetingKey: u })),
    );
    expect(at50).toEqual(users.map((userId) => inRollout({ salt: "9f1c2e", percent: 50, userId })));
    // Raising the percentage only added users.
    for (const [i, was] of at25.entries()) if (was) expect(at50[i]).toBe(true);
  });

  it("uses the rollout id as the salt by default, and the file's compatibility mode", async () => {
    write("search", rollout(50));
    write("legacy", rollout(50, "bucketing:\n  mode: md5\n"));
    const client = await clientFor(new RolloutBotProvider({ source: fileRolloutSource(dir) }), "file-modes");
    for (const userId of users.slice(0, 300)) {
      expect(await client.getBooleanValue("search", false, { targetingKey: userId })).toBe(
        inRollout({ salt: "search", percent: 50, userId }),
      );
      expect(await client.getBooleanValue("legacy", false, { targetingKey: userId })).toBe(
        inRollout({ salt: "x", percent: 50, userId, mode: "md5" }),
      );
    }
  });

  it("answers errors the OpenFeature way: the caller's default and a code", async () => {
    write("at-zero", rollout(0));
    write("at-full", rollout(100));
    write("broken", "stages:\n  - percent: 10\nstate:\n  percent: 37\n");
    const client = await clientFor(new RolloutBotProvider({ source: fileRolloutSource(dir) }), "file-errors");
    expect(await client.getBooleanDetails("nope", true, { targetingKey: "u" })).toMatchObject({
      value: true,
      reason: "ERROR",
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
    expect(await client.getBooleanDetails("../../etc/passwd", false, {})).toMatchObject({
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
    write("checkout", rollout(25));
    expect(await client.getBooleanDetails("checkout", true, {})).toMatchObject({
      value: true,
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
    });
    // 0% and 100% need no user id.
    expect(await client.getBooleanDetails("at-zero", true, {})).toMatchObject({
      value: false,
      reason: "STATIC",
    });
    expect(await client.getBooleanDetails("at-full", false, {})).toMatchObject({
      value: true,
      reason: "STATIC",
    });
    const broken = await client.getBooleanDetails("broken", false, { targetingKey: "u" });
    expect(broken).toMatchObject({ value: false, errorCode: ErrorCode.PARSE_ERROR });
    expect(broken.errorMessage).toContain(".github/rollouts/broken.yml:4:");
    expect(await client.getStringDetails("checkout", "x", { targetingKey: "u" })).toMatchObject({
      value: "x",
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
  });

  it("keeps serving the last good state, marked STALE, when the file turns invalid", async () => {
    write("flaky", rollout(50));
    const clock = new Clock();
    const client = await clientFor(
      new RolloutBotProvider({ source: fileRolloutSource(dir), refreshMs: 1000, now: clock.now }),
      "file-stale",
    );
    const before = await client.getBooleanDetails("flaky", false, { targetingKey: "user-7" });
    expect(before.reason).toBe("SPLIT");
    write("flaky", "stages: [oops\n");
    clock.t += 1000;
    const after = await client.getBooleanDetails("flaky", false, { targetingKey: "user-7" });
    expect(after).toMatchObject({ value: before.value, reason: "STALE" });
  });
});

describe("RolloutBotProvider from GitHub, with conditional requests", () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
    github.state.seedRepo({
      owner: "acme",
      name: "shop",
      files: { ".github/rollouts/checkout.yml": rollout(5) },
    });
  });
  afterAll(() => github.close());

  it("reads the file, answers re-reads with 304s, and follows a new commit", async () => {
    const clock = new Clock();
    const source = githubRolloutSource({
      repo: "acme/shop",
      token: "ghp_secret_read_token",
      apiUrl: github.url,
    });
    const client = await clientFor(
      new RolloutBotProvider({ source, refreshMs: 5000, now: clock.now }),
      "github",
    );
    const at5 = await Promise.all(
      users.map((u) => client.getBooleanValue("checkout", false, { targetingKey: u })),
    );
    expect(at5).toEqual(users.map((userId) => inRollout({ salt: "checkout", percent: 5, userId })));
    const reads = () => github.requestsTo("GET", "repos/get-content");
    // 2,000 evaluations (concurrent, too), one read.
    expect(reads()).toHaveLength(1);
    clock.t += 5000;
    await client.getBooleanValue("checkout", false, { targetingKey: "u" });
    clock.t += 5000;
    await client.getBooleanValue("checkout", false, { targetingKey: "u" });
    expect(reads()).toHaveLength(3);
    expect(github.rateLimit.notModified).toBe(2);

    github.state.push("acme/shop", {
      branch: "main",
      files: { ".github/rollouts/checkout.yml": rollout(25) },
    });
    clock.t += 5000;
    expect(await client.getBooleanDetails("checkout", false, { targetingKey: "u" })).toMatchObject({
      flagMetadata: { percent: 25 },
    });
    // The token travels in the header only.
    for (const r of reads()) expect(JSON.stringify(r.query)).not.toContain("ghp_");
    github.assertClean();
  });

  it("serves the last good state as STALE while GitHub fails, saying only the status", async () => {
    const clock = new Clock();
    const source = githubRolloutSource({ repo: "acme/shop", token: "t", apiUrl: github.url });
    const client = await clientFor(
      new RolloutBotProvider({ source, refreshMs: 1000, now: clock.now }),
      "gh-down",
    );
    const good = await client.getBooleanDetails("checkout", false, { targetingKey: "user-3" });
    github.setFaults({ rate: 1, status: 502 });
    clock.t += 1000;
    expect(await client.getBooleanDetails("checkout", false, { targetingKey: "user-3" })).toMatchObject({
      value: good.value,
      reason: "STALE",
    });
    const fresh = await clientFor(new RolloutBotProvider({ source }), "gh-down-cold");
    const cold = await fresh.getBooleanDetails("checkout", true, { targetingKey: "user-3" });
    github.setFaults(undefined);
    expect(cold).toMatchObject({ value: true, errorCode: ErrorCode.PARSE_ERROR });
    expect(cold.errorMessage).toBe("acme/shop: GitHub answered 502 for .github/rollouts/checkout.yml");
  });

  it("refuses a repo that is not owner/name", () => {
    expect(() => githubRolloutSource({ repo: "https://evil.example/x" })).toThrow("repo must be owner/name");
  });
});
