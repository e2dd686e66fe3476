import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { EtagCache } from "../../src/adapters/github/etag-cache.ts";
import { GitHubRepoStore } from "../../src/adapters/github/github-repo-store.ts";
import { RepoSnapshots } from "../../src/adapters/github/repo-snapshots.ts";
import { loadRepo } from "../../src/commands/load-repo.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";

/**
 * Polling what changed, not everything: the `.github` listing read conditionally (304: nothing under it
 * changed, free of rate limit), files read again only when their sha changed, no request at all within
 * the trust window while no push said otherwise, and parses kept per file version.
 */

const rollout = (percent: number) => `stages:
  - percent: 10
    bake: 1h
  - percent: 50
    bake: 1h
workflows:
  rollback: rollback.yml
state:
  percent: ${percent}
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

let fake: FakeGitHub | undefined;
afterEach(async () => {
  fake?.assertClean();
  await fake?.close();
  fake = undefined;
});

async function setup(trustMs = 0) {
  fake = await startFakeGitHub();
  const files: Record<string, string> = { ".github/rollout-bot.yml": "defaults:\n  approvals: 1\n" };
  for (let i = 0; i < 5; i++) files[`.github/rollouts/svc-${i}.yml`] = rollout(10);
  fake.state.seedRepo({ owner: "acme", name: "shop", files });
  let now = 0;
  const snapshots = new RepoSnapshots({ trustMs, now: () => now });
  const store = new GitHubRepoStore(new Octokit({ auth: "token", baseUrl: fake.url }), {
    owner: "acme",
    repo: "shop",
    defaultBranch: "main",
    etags: new EtagCache(),
    snapshots,
  });
  const counted = (from: number) => fake!.requests.slice(from);
  return { fake, store, snapshots, counted, advance: (ms: number) => (now += ms) };
}

describe("polling a repository", () => {
  it("an unchanged repository costs one conditional request, answered 304", async () => {
    const { fake, store, counted } = await setup();
    const first = await store.readConfiguration();
    expect(first.rollouts).toHaveLength(5);
    expect(first.settings?.text).toContain("approvals: 1");
    const from = fake.requests.length;
    const again = await store.readConfiguration();
    expect(again).toEqual(first);
    expect(counted(from).map((r) => [r.path, r.status])).toEqual([
      ["/repos/acme/shop/contents/.github", 304],
    ]);
  });

  it("a changed file is the only file read again", async () => {
    const { fake, store, counted } = await setup();
    await store.readConfiguration();
    fake.state.push("acme/shop", { branch: "main", files: { ".github/rollouts/svc-3.yml": rollout(50) } });
    const from = fake.requests.length;
    const read = await store.readConfiguration();
    expect(read.rollouts.find((f) => f.path.endsWith("svc-3.yml"))?.text).toContain("percent: 50");
    expect(counted(from).map((r) => decodeURIComponent(r.path))).toEqual([
      "/repos/acme/shop/contents/.github",
      "/repos/acme/shop/contents/.github/rollouts",
      "/repos/acme/shop/contents/.github/rollouts/svc-3.yml",
    ]);
  });

  it("trusts webhooks for the poll: no request within the window, one after a push says what changed", async () => {
    const { fake, store, counted, advance } = await setup(60_000);
    await store.readConfiguration({ trustWebhooks: true });
    let from = fake.requests.length;
    advance(30_000);
    await store.readConfiguration({ trustWebhooks: true });
    expect(counted(from)).toEqual([]);
    // A command reads fresh whatever the window says.
    await store.readConfiguration();
    expect(counted(from)).toHaveLength(1);
    fake.state.push("acme/shop", { branch: "main", files: { ".github/rollouts/svc-1.yml": rollout(50) } });
    store.changed([".github/rollouts/svc-1.yml"]);
    from = fake.requests.length;
    const read = await store.readConfiguration({ trustWebhooks: true });
    expect(read.rollouts.find((f) => f.path.endsWith("svc-1.yml"))?.text).toContain("percent: 50");
    expect(counted(from).length).toBeGreaterThan(0);
    // Past the window the poll asks again (the safety net for a lost webhook).
    from = fake.requests.length;
    advance(61_000);
    await store.readConfiguration({ trustWebhooks: true });
    expect(counted(from).map((r) => r.status)).toEqual([304]);
  });

  it("keeps a parse per file version: the same version is not parsed again, a new one is", async () => {
    const { fake, store } = await setup();
    const first = await loadRepo(store);
    const second = await loadRepo(store);
    expect(second.rollouts[0]!.file).toBe(first.rollouts[0]!.file);
    expect(second.settings).toBe(first.settings);
    fake.state.push("acme/shop", { branch: "main", files: { ".github/rollouts/svc-0.yml": rollout(50) } });
    const third = await loadRepo(store);
    expect(third.rollouts[0]!.file).not.toBe(first.rollouts[0]!.file);
    expect(third.rollouts[0]!.file.state?.percent).toBe(50);
    expect(third.rollouts[1]!.file).toBe(first.rollouts[1]!.file);
  });

  it("reads one rollout and the settings in one wave; the branch head along only when sync files may follow", async () => {
    const { fake, store } = await setup();
    fake.state.push("acme/shop", {
      branch: "main",
      files: {
        ".github/rollouts/synced.yml": `${rollout(10)}sync:\n  - file: config.py\n    pattern: "percent = ([0-9.]+)"\n`,
        "config.py": "percent = 10\n",
      },
    });
    await loadRepo(store); // the pass before: every rollout file parsed once
    fake.setLatency(30);
    const oneWave = (requests: typeof fake.requests) =>
      Math.max(...requests.map((r) => r.at)) - Math.min(...requests.map((r) => r.at));

    // Its last version had no sync files: a one-file commit swaps on the file's own sha, no head needed.
    let from = fake.requests.length;
    const repo = await loadRepo(store, { only: "svc-2" });
    expect(repo.rollouts.map((r) => r.id)).toEqual(["svc-2"]);
    let requests = fake.requests.slice(from);
    expect(oneWave(requests)).toBeLessThan(25);
    expect(requests.map((r) => r.operationId).sort()).toEqual(["repos/get-content", "repos/get-content"]);

    // Its last version named a sync file: that file and the head come in the same wave.
    from = fake.requests.length;
    const synced = await loadRepo(store, { only: "synced" });
    expect(synced.rollouts.map((r) => r.id)).toEqual(["synced"]);
    requests = fake.requests.slice(from);
    expect(oneWave(requests)).toBeLessThan(25);
    expect(requests.map((r) => r.operationId).sort()).toEqual([
      "git/get-ref",
      "repos/get-content",
      "repos/get-content",
      "repos/get-content",
    ]);
  });
});

describe("the read cache", () => {
  it("grows to the working set and never evicts inside it", () => {
    const cache = new EtagCache(2);
    cache.fit(1000);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, `e${i}`, i);
    expect(cache.size).toBe(1000);
    expect(cache.get("k0")?.data).toBe(0);
    cache.fit(10);
    cache.set("k-new", "e", 1);
    expect(cache.size).toBe(1000);
  });
});
