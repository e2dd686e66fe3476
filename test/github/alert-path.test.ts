import { afterEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../fakes/github/fake-github.ts";
import { alertmanagerBody } from "../helpers/app-harness.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { commentPayload, FULL, pullPayload, startGitHubApp } from "../helpers/github-harness.ts";

/**
 * The alert path on the GitHub App's real wiring (Probot's client, the registry, the fake GitHub over
 * HTTP): one wave of reads, one write for every file of the rollback, no repository lookup, the
 * rollback's writes ahead of the installation's other writes, the answer before the clean-up.
 */

const TOKEN = "alert-token-for-github-tests-0123456789";
const oneFile = CHECKOUT_PLAN.replace(/sync:\n(?: {2}.*\n)+/, "").replace(
  "automation:\n  auto_advance: true\n",
  "",
);
const withSync = CHECKOUT_PLAN.replace("automation:\n  auto_advance: true\n", "");
const SETTINGS = ".github/rollout-bot.yml";

let harness: Awaited<ReturnType<typeof startGitHubApp>> | undefined;
afterEach(async () => {
  const h = harness;
  harness = undefined;
  try {
    h?.fake.assertClean();
  } finally {
    await h?.close();
  }
});

async function alert(h: NonNullable<typeof harness>, labels: Record<string, string>, fingerprint = "f1") {
  const response = await fetch(`${h.url}/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(alertmanagerBody("firing", { severity: "critical", ...labels }, { fingerprint })),
  });
  const body = (await response.json()) as { outcomes: { result: string }[] };
  return { at: Date.now(), result: body.outcomes[0]?.result };
}

/**
 * Sequential waves of requests: a request is in a later wave than every request whose answer had left
 * GitHub when it arrived (GitHub answers each after LATENCY ms here). Causal, so a busy machine delaying
 * a request within its wave does not split the wave.
 */
const LATENCY = 100;
function waves(requests: RecordedRequest[]): string[][] {
  const depth: number[] = [];
  for (const [i, r] of requests.entries())
    depth[i] =
      1 + Math.max(0, ...requests.slice(0, i).map((q, j) => (q.at + LATENCY <= r.at ? depth[j]! : 0)));
  const out: string[][] = [];
  for (const [i, r] of requests.entries()) {
    out[depth[i]! - 1] ??= [];
    out[depth[i]! - 1]!.push(r.operationId ?? r.path);
  }
  return out;
}

const since = (h: NonNullable<typeof harness>, from: number) =>
  h.fake.requests.slice(from).filter((r) => !r.faulted);
const beforeFirstWrite = (requests: RecordedRequest[]) => {
  const first = requests.findIndex((r) => r.method !== "GET");
  return first < 0 ? requests : requests.slice(0, first);
};

describe("the alert path", () => {
  it("a one-file rollback reads in one wave, never GET /repos/{owner}/{repo}, and commits in one write", async () => {
    harness = await startGitHubApp({
      files: { [ROLLOUT_PATH]: oneFile, [SETTINGS]: "defaults:\n  approvals: 1\n" },
      latencyMs: LATENCY,
      alertToken: TOKEN,
    });
    const h = harness;
    // The registry as the server fills it: from the installation's repository list (default branch included).
    await h.github.registry.refresh();
    await h.app.scheduler.runOnce();
    const from = h.fake.requests.length;
    expect((await alert(h, { rollout: "checkout", repo: FULL })).result).toBe("rolled_back");
    const requests = since(h, from);
    expect(requests.filter((r) => r.operationId === "repos/get")).toEqual([]);
    expect(waves(beforeFirstWrite(requests))).toHaveLength(1);
    // A one-file commit needs no branch head (the file's own sha is the compare-and-swap).
    expect(requests.filter((r) => r.operationId === "git/get-ref")).toEqual([]);
    const writes = requests.filter((r) => r.method !== "GET").map((r) => r.operationId);
    expect(writes.slice(0, 2)).toEqual([
      "repos/create-or-update-file-contents",
      "actions/create-workflow-dispatch",
    ]);
  });

  it("a rollback with a sync file commits both files in ONE write (createCommitOnBranch), the bot's own commit", async () => {
    harness = await startGitHubApp({
      files: { [ROLLOUT_PATH]: withSync, "config.py": CONFIG_PY },
      latencyMs: LATENCY,
      alertToken: TOKEN,
    });
    const h = harness;
    await h.github.registry.refresh();
    await h.app.scheduler.runOnce();
    const from = h.fake.requests.length;
    expect((await alert(h, { rollout: "checkout", repo: FULL })).result).toBe("rolled_back");
    const requests = since(h, from);
    const writes = requests.filter((r) => r.method !== "GET").map((r) => r.operationId);
    expect(writes.slice(0, 2)).toEqual(["graphql:createCommitOnBranch", "actions/create-workflow-dispatch"]);
    // The rollout file and its sync file (read ahead: the last version parsed named it), the settings
    // and the branch head in one wave; the blobs checked at that head in a second; then the write.
    const read = waves(beforeFirstWrite(requests));
    expect(read).toHaveLength(2);
    expect(read[0]).toEqual(expect.arrayContaining(["repos/get-content", "git/get-ref"]));
    const [head] = h.fake.state.commitsOn(FULL, "main");
    expect(head?.message).toMatch(/^rollout\(checkout\): rollback 10% → 0%\n\n/);
    expect(h.fake.state.fileAt(FULL, "main", "config.py")).toContain("canary_percent = 0");
    expect(h.fake.state.fileAt(FULL, "main", ROLLOUT_PATH)).toContain("  percent: 0\n");
    // Signed by GitHub and authored by the App's bot, as a REST commit would be: still the bot's own.
    const { data } = await h.carol.rest.repos.listCommits({
      owner: "acme",
      repo: "shop",
      sha: head!.sha,
      per_page: 1,
    });
    expect([data[0]?.sha, data[0]?.author?.login, data[0]?.commit.verification?.verified]).toEqual([
      head!.sha,
      "rollout-bot[bot]",
      true,
    ]);
  });

  it("branch protection refusing the one write turns the sync-file rollback into the urgent PR", async () => {
    harness = await startGitHubApp({
      files: { [ROLLOUT_PATH]: withSync, "config.py": CONFIG_PY },
      protected: true,
      alertToken: TOKEN,
    });
    const h = harness;
    await h.github.registry.refresh();
    expect((await alert(h, { rollout: "checkout", repo: FULL })).result).toBe("rolled_back");
    const urgent = h.fake.state.openPulls(FULL).find((p) => p.head.ref.startsWith("rollout/"));
    expect(urgent).toMatchObject({
      title: "🚨 URGENT rollout(checkout): 10% → 0%",
      labels: ["rollout", "urgent"],
    });
    expect(h.fake.state.repo(FULL).dispatches).toHaveLength(1);
    expect(h.fake.state.fileAt(FULL, "main", "config.py")).toBe(CONFIG_PY);
  });

  it("an alert without a repo label is matched by the rollout index, not by listing every repository", async () => {
    harness = await startGitHubApp({ files: { [ROLLOUT_PATH]: oneFile }, alertToken: TOKEN });
    const h = harness;
    for (const name of ["billing", "search", "ledger"])
      h.fake.state.seedRepo({ owner: "acme", name, files: { [`.github/rollouts/${name}.yml`]: oneFile } });
    await h.github.registry.refresh();
    await h.app.scheduler.runOnce();
    const from = h.fake.requests.length;
    expect((await alert(h, { rollout: "checkout" })).result).toBe("rolled_back");
    const elsewhere = since(h, from).filter((r) => !r.path.startsWith("/repos/acme/shop/"));
    expect(elsewhere.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it("answers once the workflow is dispatched: closing the bump PR happens after, and close() waits for it", async () => {
    harness = await startGitHubApp({ files: { [ROLLOUT_PATH]: oneFile }, throttle: true, alertToken: TOKEN });
    const h = harness;
    await h.github.registry.refresh();
    await h.send("issue_comment", await commentPayload(h, "/rollout advance checkout", "alice"));
    expect(h.fake.state.openPulls(FULL).filter((p) => p.head.ref === "rollout/checkout")).toHaveLength(1);
    const from = h.fake.requests.length;
    const answered = await alert(h, { rollout: "checkout", repo: FULL });
    expect(answered.result).toBe("rolled_back");
    const dispatch = since(h, from).find((r) => r.operationId === "actions/create-workflow-dispatch");
    expect(dispatch?.at).toBeLessThanOrEqual(answered.at);
    // The clean-up's writes come after the answer (paced behind the dispatch).
    expect(
      since(h, from).filter((r) => r.method !== "GET" && r.at > dispatch!.at && r.at <= answered.at),
    ).toEqual([]);
    expect(since(h, from).some((r) => r.operationId === "issues/create-comment")).toBe(false);
    await h.app.close();
    expect(h.fake.state.openPulls(FULL).filter((p) => p.head.ref === "rollout/checkout")).toEqual([]);
  }, 30_000);

  it("writes of webhooks and of the registry share the installation's pacing; the rollback's go first", async () => {
    harness = await startGitHubApp({ files: { [ROLLOUT_PATH]: oneFile }, throttle: true, alertToken: TOKEN });
    const h = harness;
    await h.github.registry.refresh();
    // Three people's PRs touching the rollout file: each gets a config check run (a write).
    const pulls: number[] = [];
    for (const k of [1, 2, 3]) {
      h.fake.state.push(FULL, { branch: `edit-${k}`, files: { [ROLLOUT_PATH]: `${oneFile}# ${k}\n` } });
      const { data } = await h.as("alice").rest.pulls.create({
        owner: "acme",
        repo: "shop",
        head: `edit-${k}`,
        base: "main",
        title: `edit ${k}`,
      });
      pulls.push(data.number);
    }
    const payloads = await Promise.all(
      pulls.map((n) => pullPayload(h, "pull_request", "synchronize", n, "alice")),
    );
    const from = h.fake.requests.length;
    const deliveries = payloads.map((p) => h.send("pull_request", p));
    // The alert arrives once the first check run is being written: two more wait in the queue.
    while (!since(h, from).some((r) => r.operationId === "checks/create"))
      await new Promise((r) => setTimeout(r, 10));
    expect((await alert(h, { rollout: "checkout", repo: FULL })).result).toBe("rolled_back");
    await Promise.all(deliveries);
    const writes = since(h, from).filter((r) => r.method !== "GET");
    const gaps = writes.slice(1).map((w, i) => w.at - writes[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
    expect(writes.map((w) => w.operationId)).toEqual([
      "checks/create",
      "repos/create-or-update-file-contents",
      "actions/create-workflow-dispatch",
      "checks/create",
      "checks/create",
    ]);
  }, 20_000);
});
