import { Octokit } from "@octokit/rest";
import { diffLines } from "diff";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubRepoStore } from "../../src/adapters/github/github-repo-store.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { runCommand } from "../../src/commands/run-command.ts";
import type { Command } from "../../src/core/commands/command.ts";
import { parseCommitMessage } from "../../src/core/messages/commit-message.ts";
import { localServices } from "../../src/main/coordination.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { commentPayload, FULL, pullPayload, startGitHubApp } from "../helpers/github-harness.ts";

/**
 * The GitHub App end to end: real signed webhooks (payloads from @octokit/webhooks-examples) over HTTP
 * to the running server; GitHub faked at the HTTP level, every request checked against its OpenAPI
 * description (assertClean in afterEach).
 */

const files = {
  [ROLLOUT_PATH]: CHECKOUT_PLAN.replace("automation:\n  auto_advance: true\n", ""),
  "config.py": CONFIG_PY,
};
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

const bumpPulls = (h: NonNullable<typeof harness>) =>
  h.fake.state.openPulls(FULL).filter((p) => p.head.ref.startsWith("rollout/"));

/** What the bot wrote: comments by others than the people in the test. */
const comments = (h: NonNullable<typeof harness>) =>
  h.fake.state
    .repo(FULL)
    .comments.filter((c) => !["alice", "bob", "carol", "viewer"].includes(c.user))
    .map((c) => c.body);

describe("GitHub App", () => {
  it("refuses unsigned and forged webhooks and makes no GitHub request", async () => {
    harness = await startGitHubApp({ files });
    const payload = await commentPayload(harness, "/rollout rollback checkout to 0", "carol");
    const before = harness.fake.requests.length;
    const unsigned = await harness.send("issue_comment", payload, null);
    const forged = await harness.send("issue_comment", payload, "not-the-secret");
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(harness.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it("/rollout advance opens a bump PR whose diff is exactly the state lines, and refreshes it on a second run", async () => {
    harness = await startGitHubApp({ files });
    const response = await harness.send(
      "issue_comment",
      await commentPayload(harness, "LGTM\n/rollout advance checkout", "alice"),
    );
    expect(response.status).toBe(200);
    const [pull] = bumpPulls(harness);
    expect(pull).toMatchObject({
      title: "rollout(checkout): 10% → 50%",
      head: { ref: "rollout/checkout" },
      base: { ref: "main" },
      labels: ["rollout"],
    });
    const before = harness.fake.state.fileAt(FULL, "main", ROLLOUT_PATH) ?? "";
    const after = harness.fake.state.fileAt(FULL, "rollout/checkout", ROLLOUT_PATH) ?? "";
    const changed = diffLines(before, after).filter((c) => c.added || c.removed);
    expect(changed.map((c) => [c.added ? "+" : "-", c.value])).toEqual([
      ["-", "  percent: 10\n"],
      ["+", "  percent: 50\n"],
      ["-", "  started_at: 2026-11-22T08:00:00Z\n"],
    ]);
    expect(
      before
        .replace("  percent: 10\n", "  percent: 50\n")
        .replace("  started_at: 2026-11-22T08:00:00Z\n", ""),
    ).toBe(after);
    expect(harness.fake.state.fileAt(FULL, "rollout/checkout", "config.py")).toBe(
      "# traffic\ncanary_percent = 50.0\n",
    );
    expect(comments(harness)[0]).toMatch(
      /^🚀 `\/rollout advance checkout`: pull request #\d+ is ready for review/,
    );
    await harness.send("issue_comment", await commentPayload(harness, "/rollout advance checkout", "alice"));
    expect(bumpPulls(harness)).toHaveLength(1);
    expect(
      harness.fake
        .requestsTo("POST", "pulls/create")
        .filter((r) => (r.body as { head: string }).head === "rollout/checkout"),
    ).toHaveLength(1);
    // The same content again: no new commit, no force-push (CI and approvals are left alone).
    expect(harness.fake.requestsTo("POST", "git/create-commit")).toHaveLength(1);
    expect(harness.fake.requestsTo("PATCH", "git/update-ref")).toHaveLength(0);
  });

  it("a read-only user's command is refused with the reason, and nothing changes", async () => {
    harness = await startGitHubApp({ files });
    await harness.send(
      "issue_comment",
      await commentPayload(harness, "/rollout rollback checkout to 0", "viewer"),
    );
    expect(comments(harness)).toEqual([
      "😕 `/rollout rollback checkout to 0`: @viewer may not rollback: it needs write access to the repository (has read)",
    ]);
    expect(harness.fake.state.commitsOn(FULL, "main")).toHaveLength(1);
    expect(harness.fake.state.repo(FULL).dispatches).toHaveLength(0);
  });

  it("/rollout rollback commits to main with audit trailers, dispatches the workflow, closes the bump PR", async () => {
    harness = await startGitHubApp({ files });
    await harness.send("issue_comment", await commentPayload(harness, "/rollout advance checkout", "alice"));
    expect(bumpPulls(harness)).toHaveLength(1);
    await harness.send(
      "issue_comment",
      await commentPayload(harness, '/rollout rollback checkout to 0 "5xx spike"', "bob"),
    );
    const [head] = harness.fake.state.commitsOn(FULL, "main");
    expect(head?.message).toMatch(/^rollout\(checkout\): rollback 10% → 0%\n/);
    expect(head?.message).toContain("Rollout-Actor: bob\nRollout-Reason: 5xx spike\n");
    expect(harness.fake.state.fileAt(FULL, "main", ROLLOUT_PATH)).toContain(
      "  percent: 0\n  phase: rolled_back\n",
    );
    expect(
      harness.fake.state
        .repo(FULL)
        .dispatches.map((d: { workflowId: string; inputs: unknown }) => [d.workflowId, d.inputs]),
    ).toEqual([["rollback.yml", { rollout: "checkout", from: "10", to: "0", reason: "5xx spike" }]]);
    expect(bumpPulls(harness)).toHaveLength(0);
    expect(comments(harness)).toContain(
      "Closed by rollout-bot: checkout was rolled back 10% → 0% (5xx spike).",
    );
  });

  it("a protected branch turns the rollback into an urgent PR, and the workflow still runs", async () => {
    harness = await startGitHubApp({ files, protected: true });
    await harness.send("issue_comment", await commentPayload(harness, "/rollout rollback checkout", "carol"));
    const [pull] = bumpPulls(harness);
    expect(pull).toMatchObject({
      title: "🚨 URGENT rollout(checkout): 10% → 0%",
      labels: ["rollout", "urgent"],
    });
    expect(harness.fake.state.repo(FULL).dispatches).toHaveLength(1);
    expect(comments(harness).at(-1)).toContain(
      "🚨 branch protection refused the commit: urgent pull request #",
    );
  });

  it("approvals are counted from people with write access, not the author; the gate check follows reviews; merge starts the stage", async () => {
    harness = await startGitHubApp({ files });
    await harness.send("issue_comment", await commentPayload(harness, "/rollout advance checkout", "alice"));
    const pull = bumpPulls(harness)[0]!;
    const prPayload = (event: "pull_request" | "pull_request_review", action: string) =>
      pullPayload(harness!, event, action, pull.number);
    harness.fake.state.addReview(FULL, pull.number, { user: "viewer", state: "APPROVED" });
    await harness.send("pull_request_review", await prPayload("pull_request_review", "submitted"));
    const gate = () =>
      harness!.fake.state
        .repo(FULL)
        .checkRuns.filter((c: { name: string }) => c.name === "rollout gate")
        .at(-1);
    expect(gate()).toMatchObject({ conclusion: "failure" });
    expect(gate()?.output?.summary).toContain("- [ ] **approvals**: 0 of 1 approvals");
    harness.fake.state.addReview(FULL, pull.number, { user: "bob", state: "APPROVED" });
    await harness.send("pull_request_review", await prPayload("pull_request_review", "submitted"));
    expect(gate()).toMatchObject({ conclusion: "success" });
    expect(gate()?.output?.summary).toContain("- [x] **approvals**: 1 of 1 approvals");
    // A person merges; GitHub sends pull_request.closed with merged: true.
    harness.fake.state.clock.set("2026-11-22T11:00:00Z");
    await harness.carol.rest.pulls.merge({ owner: "acme", repo: "shop", pull_number: pull.number });
    await harness.send("pull_request", await prPayload("pull_request", "closed"));
    expect(
      harness.fake.state
        .repo(FULL)
        .dispatches.map((d: { workflowId: string; inputs: unknown }) => [d.workflowId, d.inputs]),
    ).toEqual([["deploy.yml", { rollout: "checkout", from: "10", to: "50" }]]);
    expect(harness.fake.state.resolveRef(harness.fake.state.repo(FULL), "rollout/checkout")).toBeUndefined();
    const announced = harness.notifier.messages.at(-1);
    expect(announced?.headline).toMatch(/^checkout: stage 2\/3 started at 50% \(PR #\d+ merged by carol\)$/);
    // The stage started when the change reached main: the merge commit's time.
    expect(announced?.timeInStage).toMatch(/^\d{1,2}s$/); // seconds since the merge at 11:00, not since the PR opened at 10:00
    // Every evaluation loads every rollout: the merge time is looked up once per version of the file.
    const lookups = () =>
      harness!.fake.requestsTo("GET", "pulls/list").filter((r) => r.query.state === "closed").length;
    const before = lookups();
    await harness.app.scheduler.runOnce();
    await harness.app.scheduler.runOnce();
    expect(lookups()).toBe(before);
  });

  it("a PR touching a rollout file gets a config check with annotations on the offending lines", async () => {
    harness = await startGitHubApp({ files });
    harness.fake.state.push(FULL, {
      branch: "tweak",
      files: { [ROLLOUT_PATH]: CHECKOUT_PLAN.replace("bake: 2h", "bake: two hours") },
    });
    const created = await harness.carol.rest.pulls.create({
      owner: "acme",
      repo: "shop",
      head: "tweak",
      base: "main",
      title: "Tweak bake",
    });
    const p = harness.payload("pull_request", "opened");
    p.pull_request = {
      ...(p.pull_request as object),
      number: created.data.number,
      head: { ...(p.pull_request as { head: object }).head, ref: "tweak", sha: created.data.head.sha },
      body: "tweak",
    };
    await harness.send("pull_request", p);
    const check = harness.fake.state
      .repo(FULL)
      .checkRuns.find((c: { name: string }) => c.name === "rollout config");
    expect(check).toMatchObject({ conclusion: "failure", headSha: created.data.head.sha });
    expect(check?.output?.annotations).toEqual([
      expect.objectContaining({
        path: ROLLOUT_PATH,
        start_line: 11,
        end_line: 11,
        annotation_level: "failure",
      }),
    ]);
  });

  it("the config check annotates broken PromQL at its column and a schedule that would never fire", async () => {
    harness = await startGitHubApp({ files });
    const text = CHECKOUT_PLAN.replace("[5m])) / sum", "[5q])) / sum").replace(
      "automation:",
      'notify: { schedule: "99 * * * FOO" }\nautomation:',
    );
    harness.fake.state.push(FULL, { branch: "queries", files: { [ROLLOUT_PATH]: text } });
    const created = await harness.carol.rest.pulls.create({
      owner: "acme",
      repo: "shop",
      head: "queries",
      base: "main",
      title: "Queries",
    });
    const p = harness.payload("pull_request", "opened");
    p.pull_request = {
      ...(p.pull_request as object),
      number: created.data.number,
      head: { ...(p.pull_request as { head: object }).head, ref: "queries", sha: created.data.head.sha },
      body: "queries",
    };
    await harness.send("pull_request", p);
    const check = harness.fake.state
      .repo(FULL)
      .checkRuns.find((c: { name: string }) => c.name === "rollout config");
    expect(check?.conclusion).toBe("failure");
    const annotations = (check?.output?.annotations ?? []) as { start_line: number; message: string }[];
    expect(annotations.map((a) => [a.start_line, /PromQL|never run/.exec(a.message)?.[0]])).toEqual([
      [4, "PromQL"],
      [24, "never run"],
    ]);
  });
});

describe("GitHub repo store under concurrency", () => {
  it("two rollbacks and an advance racing on one rollout lose no update", async () => {
    const at50 = files[ROLLOUT_PATH].replace("percent: 10\n  phase: baking", "percent: 50\n  phase: baking");
    // A little latency so the three replicas' reads all land before the first write.
    harness = await startGitHubApp({ files: { ...files, [ROLLOUT_PATH]: at50 }, latencyMs: 10 });
    const h = harness;
    const retries: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (_: object, message: string) => void retries.push(message),
      child: () => logger,
    };
    // Three replicas: each its own store and client, all against the same repository.
    const replica = (actor: string) => {
      const store = new GitHubRepoStore(new Octokit({ auth: "installation-token", baseUrl: h.fake.url }), {
        owner: "acme",
        repo: "shop",
      });
      // Each replica its own process: its own (in-memory) lock, so nothing serialises them but Git.
      const services = localServices({
        metrics: () => new SimulatedMetrics({ error_rate: () => 0.001 }),
        notifier: h.notifier,
        clock: h.clock,
        logger,
      });
      return (command: Command, force = false) =>
        runCommand(services, { command, principal: { kind: "local", user: actor }, scope: store, force });
    };
    const outcomes = await Promise.all([
      replica("alice")({ verb: "rollback", rollout: { id: "checkout" }, to: "previous", reason: "first" }),
      replica("bob")({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "second" }),
      replica("carol")({ verb: "advance", rollout: { id: "checkout" } }, true),
    ]);
    expect(outcomes.map((o) => o.kind)).not.toContain("planned");
    // The race was real: a loser found the file changed under it (blob check, a 409 or a non-fast-forward
    // 422) and re-read and re-decided.
    expect(retries.length).toBeGreaterThanOrEqual(1);
    // Every commit on main starts from the state the previous one left: nothing was overwritten.
    const chain = h.fake.state
      .commitsOn(FULL, "main")
      .reverse()
      .map((c) => parseCommitMessage(c.message))
      .filter((r) => r !== undefined);
    expect(chain.length).toBeGreaterThanOrEqual(1);
    let percent = 50;
    for (const record of chain) {
      expect(record.from).toBe(percent);
      percent = record.to;
    }
    const final = h.fake.state.fileAt(FULL, "main", ROLLOUT_PATH) ?? "";
    expect(final).toContain(`  percent: ${percent}\n`);
    expect(percent).toBeLessThan(50);
    // A bump PR opened before the rollbacks was closed by them; one opened after would be refused (cooldown).
    expect(bumpPulls(h)).toHaveLength(0);
    expect(
      h.fake.state
        .repo(FULL)
        .dispatches.filter((d: { workflowId: string }) => d.workflowId === "rollback.yml"),
    ).toHaveLength(chain.length);
  });

  it("a person's commit on the bump branch is never force-pushed away", async () => {
    harness = await startGitHubApp({ files });
    await harness.send("issue_comment", await commentPayload(harness, "/rollout advance checkout", "alice"));
    const human = harness.fake.state.push(FULL, {
      branch: "rollout/checkout",
      files: { "config.py": "# traffic, tuned by hand\ncanary_percent = 50.0\n" },
      message: "Tune by hand",
    });
    await harness.send("issue_comment", await commentPayload(harness, "/rollout advance checkout", "alice"));
    expect(harness.fake.state.resolveRef(harness.fake.state.repo(FULL), "rollout/checkout")).toBe(human.sha);
    expect(comments(harness).at(-1)).toContain("has commits by people: left as it is (never force-pushed)");
    expect(bumpPulls(harness)).toHaveLength(1);
  });
});

describe("gate on schedule", () => {
  it("re-evaluates open bump PRs after each pass, writing a check run only when the verdict changes", async () => {
    harness = await startGitHubApp({ files });
    await harness.send("issue_comment", await commentPayload(harness, "/rollout advance checkout", "alice"));
    const gates = () =>
      harness!.fake.state.repo(FULL).checkRuns.filter((c: { name: string }) => c.name === "rollout gate");
    const h = harness;
    // The evaluation pass re-checks open bump PRs every 5 minutes (reviews re-check at once by webhook).
    const pass = async () => {
      h.fake.state.clock.advance(5 * 60_000);
      await h.app.scheduler.runOnce();
    };
    await pass();
    expect(gates()).toHaveLength(1);
    expect(gates()[0]).toMatchObject({ conclusion: "failure", output: { title: "gate closed: approvals" } });
    await pass();
    expect(gates()).toHaveLength(1); // same verdict, fresh: no new write
    const pull = bumpPulls(h)[0]!;
    h.fake.state.addReview(FULL, pull.number, { user: "bob", state: "APPROVED" });
    await pass();
    expect(gates()).toHaveLength(2);
    expect(gates()[1]).toMatchObject({
      conclusion: "success",
      output: { title: "gate open: ready for 50%" },
    });
  });
});

describe("push to the default branch", () => {
  it("a person's direct edit of the percentage starts the stage: on-change dispatched, announced; the bot's own commits are not", async () => {
    harness = await startGitHubApp({ files });
    const before = harness.fake.state.resolveRef(harness.fake.state.repo(FULL), "main")!;
    const edited = (harness.fake.state.fileAt(FULL, "main", ROLLOUT_PATH) ?? "").replace(
      "  percent: 10\n",
      "  percent: 50\n",
    );
    const commit = harness.fake.state.push(FULL, {
      branch: "main",
      files: { [ROLLOUT_PATH]: edited },
      message: "Go to 50% by hand",
    });
    const p = harness.payload("push");
    const head = {
      ...((p.commits as object[])[0] as object),
      id: commit.sha,
      message: "Go to 50% by hand",
      added: [],
      removed: [],
      modified: [ROLLOUT_PATH],
    };
    Object.assign(p, {
      ref: "refs/heads/main",
      before,
      after: commit.sha,
      commits: [head],
      head_commit: head,
      pusher: { name: "carol", email: "c@example.com" },
    });
    await harness.send("push", p);
    expect(
      harness.fake.state
        .repo(FULL)
        .dispatches.map((d: { workflowId: string; inputs: unknown }) => [d.workflowId, d.inputs]),
    ).toEqual([["deploy.yml", { rollout: "checkout", from: "10", to: "50" }]]);
    expect(harness.notifier.messages.at(-1)?.headline).toBe("checkout: 10% → 50% pushed to main by carol");
    // The bot's rollback commit arriving as a push: already dispatched where it happened.
    await harness.send(
      "issue_comment",
      await commentPayload(harness, "/rollout rollback checkout to 0", "carol"),
    );
    const rollback = harness.fake.state.commitsOn(FULL, "main")[0]!;
    Object.assign(p, {
      before: commit.sha,
      after: rollback.sha,
      head_commit: { ...head, id: rollback.sha, message: rollback.message },
    });
    await harness.send("push", p);
    expect(harness.fake.state.repo(FULL).dispatches.map((d: { workflowId: string }) => d.workflowId)).toEqual(
      ["deploy.yml", "rollback.yml"],
    );
  });
});
