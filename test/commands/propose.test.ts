import { describe, expect, it } from "vitest";
import { parseBody } from "../../src/core/messages/bump-pr.ts";
import { MemoryPullRequestStore } from "../doubles/memory-repo-store.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

const now = new Date("2026-11-22T10:00:00Z");

function setup() {
  const store = new MemoryPullRequestStore(
    "acme/shop",
    { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
    () => now,
  );
  const { notifier, run } = memoryContext({}, { error_rate: () => 0.001 }, now, { store });
  return { store, notifier, run };
}

describe("on a host with pull requests", () => {
  it("advance opens a bump PR with the state and sync edits and no start time; again refreshes it", async () => {
    const { store, run, notifier } = setup();
    const first = await run({ verb: "advance", rollout: { id: "checkout" } });
    expect(first).toMatchObject({ kind: "proposed", pr: { number: 1, created: true } });
    expect(store.commits).toHaveLength(0);
    expect(store.dispatches).toHaveLength(0);
    const [pull] = store.prs;
    expect(pull?.branch).toBe("rollout/checkout");
    expect(pull?.title).toBe("rollout(checkout): 10% → 50%");
    expect(parseBody(pull?.body)).toEqual({ v: 1, rollout: "checkout", from: 10, to: 50 });
    const edited = pull?.files.find((f) => f.path === ROLLOUT_PATH)?.text ?? "";
    expect(edited).toBe(
      CHECKOUT_PLAN.replace(
        "percent: 10\n  phase: baking\n  started_at: 2026-11-22T08:00:00Z\n",
        "percent: 50\n  phase: baking\n",
      ),
    );
    expect(pull?.files.find((f) => f.path === "config.py")?.text).toBe("# traffic\ncanary_percent = 50.0\n");
    expect(notifier.messages[0]?.headline).toBe(
      "checkout: ready for 50% — approve and merge PR #1 memory://pull/1",
    );
    const again = await run({ verb: "advance", rollout: { id: "checkout" } });
    expect(again).toMatchObject({ kind: "proposed", pr: { number: 1, created: false } });
    expect(store.prs).toHaveLength(1);
  });

  it("rollback commits directly and closes the open bump PR with the reason", async () => {
    const { store, run } = setup();
    await run({ verb: "advance", rollout: { id: "checkout" } });
    await run({ verb: "rollback", rollout: { id: "checkout" }, reason: "errors" });
    expect(store.commits).toHaveLength(1);
    expect(store.prs[0]).toMatchObject({
      open: false,
      closeComment: "Closed by rollout-bot: checkout was rolled back 10% → 0% (errors).",
    });
  });

  it("a protected branch turns the rollback into an urgent PR, still dispatches, and says so loudly", async () => {
    const { store, run, notifier } = setup();
    store.protectedBranch = true;
    const outcome = await run({
      verb: "rollback",
      rollout: { id: "checkout" },
      reason: "errors",
    });
    expect(outcome).toMatchObject({ kind: "applied", urgentPr: { number: 1 } });
    expect(store.prs[0]).toMatchObject({
      branch: "rollout/checkout-rollback",
      labels: ["rollout", "urgent"],
      title: "🚨 URGENT rollout(checkout): 10% → 0%",
    });
    expect(store.prs[0]?.body).toContain("> [!CAUTION]\n> Branch protection refused the rollback commit.");
    expect(store.dispatches.map((d) => d.workflow)).toEqual(["rollback.yml"]);
    expect(notifier.messages[0]?.headline).toMatch(
      /^🚨 rollback checkout: 10% → 0% — errors — branch protection refused the commit: merge urgent PR #1/,
    );
  });
});
