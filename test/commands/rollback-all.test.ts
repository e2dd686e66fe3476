import { describe, expect, it } from "vitest";
import { history } from "../../src/commands/history.ts";
import { runCommand } from "../../src/commands/run-command.ts";
import { parseCommitMessage } from "../../src/core/messages/commit-message.ts";
import { MemoryPullRequestStore } from "../doubles/memory-repo-store.ts";
import { CHECKOUT_PLAN, memoryContext } from "../helpers/command-context.ts";

const start = new Date("2026-11-22T10:00:00Z");
// Two rollouts keeping their percentages in the same file, one already at 0%.
const sharedSync = (key: string) =>
  CHECKOUT_PLAN.replace('    pattern: "canary_percent = ([0-9.]+)"', `    pattern: "${key} = ([0-9.]+)"`);
const files = {
  ".github/rollouts/checkout.yml": sharedSync("checkout"),
  ".github/rollouts/search.yml": sharedSync("search").replace(
    "percent: 10\n  phase: baking",
    "percent: 50\n  phase: baking",
  ),
  ".github/rollouts/idle.yml": sharedSync("idle").replace(
    "percent: 10\n  phase: baking",
    "percent: 0\n  phase: pending",
  ),
  "config.py": "checkout = 10.0\nsearch = 50.0\nidle = 0.0\n",
};

describe("rollback all", () => {
  it("takes every active rollout to 0% in one commit, dispatches each rollback workflow, announces each", async () => {
    const { ctx, run, store, notifier } = memoryContext(files, { error_rate: () => 0.001 }, start);
    const outcome = await run(
      { verb: "rollback-all", reason: "payments outage" },
      { principal: { kind: "local", user: "oncall" } },
    );
    if (outcome.kind !== "rollback-all") throw new Error(outcome.kind);
    expect(outcome.plans.map((p) => [p.rollout, p.from.percent, p.to.percent])).toEqual([
      ["checkout", 10, 0],
      ["search", 50, 0],
    ]);
    expect(outcome.skipped).toEqual([{ rollout: "idle", why: "already at 0%: nothing to roll back" }]);
    expect(store.commits).toHaveLength(1);
    expect(store.commits[0]?.files.map((f) => f.path)).toEqual([
      ".github/rollouts/checkout.yml",
      "config.py",
      ".github/rollouts/search.yml",
    ]);
    expect(store.files.get("config.py")).toBe("checkout = 0.0\nsearch = 0.0\nidle = 0.0\n");
    expect(store.dispatches.map((d) => d.inputs)).toEqual([
      { rollout: "checkout", from: "10", to: "0", reason: "payments outage" },
      { rollout: "search", from: "50", to: "0", reason: "payments outage" },
    ]);
    expect(notifier.messages.map((m) => [m.rollout, m.colour])).toEqual([
      ["checkout", "red"],
      ["search", "red"],
    ]);
    const message = store.commits[0]?.message ?? "";
    expect(message.split("\n")[0]).toBe("rollout(all): rollback 2 rollouts");
    expect(parseCommitMessage(message, "search")).toMatchObject({
      rollout: "search",
      from: 50,
      to: 0,
      actor: "oncall",
      reason: "payments outage",
    });
    expect(parseCommitMessage(message)).toBeUndefined();
    const trail = await history(ctx, "search");
    expect(trail.entries[0]?.audit).toMatchObject({ action: "rollback", from: 50, to: 0 });
  });

  it("dry run plans the single commit without writing", async () => {
    const { run, store } = memoryContext(files, undefined, start);
    const outcome = await run({ verb: "rollback-all" }, { dryRun: true });
    if (outcome.kind !== "rollback-all") throw new Error(outcome.kind);
    expect(outcome.edits.find((e) => e.path === "config.py")?.after).toBe(
      "checkout = 0.0\nsearch = 0.0\nidle = 0.0\n",
    );
    expect(store.commits).toHaveLength(0);
    expect(store.dispatches).toHaveLength(0);
  });
});

describe("the kill switch always works (issue 12, item 4)", () => {
  const complete = sharedSync("idle").replace(
    "percent: 10\n  phase: baking",
    "percent: 100\n  phase: complete",
  );
  const withComplete = { ...files, ".github/rollouts/done.yml": complete };

  it("on a protected default branch: one urgent PR, every rollback workflow dispatched, said loudly", async () => {
    const store = new MemoryPullRequestStore("acme/shop", {}, () => start);
    store.protectedBranch = true;
    const { run, notifier } = memoryContext(files, { error_rate: () => 0.001 }, start, { store });
    const outcome = await run({ verb: "rollback-all", reason: "payments outage" });
    if (outcome.kind !== "rollback-all") throw new Error(outcome.kind);
    expect(outcome.urgentPr).toMatchObject({ number: 1 });
    expect(store.prs.map((p) => [p.branch, p.labels])).toEqual([
      ["rollout/rollback-all", ["rollout", "urgent"]],
    ]);
    expect(store.prs[0]?.files.map((f) => f.path).sort()).toEqual([
      ".github/rollouts/checkout.yml",
      ".github/rollouts/search.yml",
      "config.py",
    ]);
    expect(store.dispatches.map((d) => d.inputs.rollout)).toEqual(["checkout", "search"]);
    expect(store.commits).toHaveLength(0);
    expect(notifier.messages.map((m) => m.headline)).toEqual([
      expect.stringMatching(
        /^🚨 emergency rollback checkout: .* branch protection refused the commit: merge urgent PR #1/,
      ),
      expect.stringMatching(
        /^🚨 emergency rollback search: .* branch protection refused the commit: merge urgent PR #1/,
      ),
    ]);
  });

  it("leaves a completed rollout alone", async () => {
    const { run, store } = memoryContext(withComplete, { error_rate: () => 0.001 }, start);
    const outcome = await run({ verb: "rollback-all" });
    if (outcome.kind !== "rollback-all") throw new Error(outcome.kind);
    expect(outcome.plans.map((p) => p.rollout)).toEqual(["checkout", "search"]);
    expect(outcome.skipped.map((s) => s.rollout)).toContain("done");
    expect(store.files.get(".github/rollouts/done.yml")).toBe(complete);
  });

  it("closes the bump PRs it makes obsolete", async () => {
    const store = new MemoryPullRequestStore("acme/shop", {}, () => start);
    const { run } = memoryContext(files, { error_rate: () => 0.001 }, start, { store });
    await run({ verb: "advance", rollout: { id: "checkout" } }, { force: true });
    expect(store.prs.filter((p) => p.open)).toHaveLength(1);
    await run({ verb: "rollback-all" });
    expect(store.prs.filter((p) => p.open)).toHaveLength(0);
    expect(store.prs[0]?.closeComment).toMatch(/rollback all/);
  });

  it("exactly once when two replicas (one coordination) pull it at the same time", async () => {
    const a = memoryContext(files, { error_rate: () => 0.001 }, start);
    const b = memoryContext({}, { error_rate: () => 0.001 }, start, { store: a.store });
    const shared = { ...b.services, coordination: a.services.coordination };
    const [first, second] = await Promise.all([
      a.run({ verb: "rollback-all" }),
      runCommand(shared, {
        command: { verb: "rollback-all" },
        principal: { kind: "local", user: "bob" },
        scope: a.store,
      }),
    ]);
    const plans = [first, second].map((o) => (o.kind === "rollback-all" ? o.plans.length : -1)).sort();
    expect(plans).toEqual([0, 2]);
    expect(a.store.commits).toHaveLength(1);
    expect(a.store.dispatches).toHaveLength(2);
  });
});
