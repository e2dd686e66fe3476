import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands/run-command.ts";
import { RolloutError } from "../../src/core/errors.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

const start = new Date("2026-11-22T10:00:00Z");
const healthy = { error_rate: () => 0.002 };

function setup(series: Record<string, () => number | undefined> | null = healthy, plan = CHECKOUT_PLAN) {
  return memoryContext({ [ROLLOUT_PATH]: plan, "config.py": CONFIG_PY }, series ?? undefined, start);
}

describe("advance", () => {
  it("commits the state and the sync file in one commit, dispatches on-change, announces", async () => {
    const { run, store, notifier } = setup();
    const outcome = await run({ verb: "advance", rollout: { id: "checkout" } });
    expect(outcome.kind).toBe("applied");
    expect(store.commits).toHaveLength(1);
    expect(store.commits[0]?.files.map((f) => f.path)).toEqual([ROLLOUT_PATH, "config.py"]);
    expect(store.files.get("config.py")).toBe("# traffic\ncanary_percent = 50.0\n");
    expect(store.files.get(ROLLOUT_PATH)).toBe(
      CHECKOUT_PLAN.replace("percent: 10\n  phase", "percent: 50\n  phase").replace(
        "2026-11-22T08:00:00Z",
        "2026-11-22T10:00:00Z",
      ),
    );
    expect(store.dispatches).toEqual([
      { workflow: "deploy.yml", inputs: { rollout: "checkout", from: "10", to: "50" } },
    ]);
    expect(notifier.messages.map((m) => [m.event, m.headline, m.colour])).toEqual([
      ["advanced", "advance checkout: 10% → 50%", "green"],
    ]);
    expect(store.commits[0]?.message).toContain("Rollout-Actor: alice\n");
  });

  it("dry run plans without writing", async () => {
    const { run, store, notifier } = setup();
    const outcome = await run({ verb: "advance", rollout: { id: "checkout" } }, { dryRun: true });
    expect(outcome.kind).toBe("planned");
    if (outcome.kind !== "planned") return;
    expect(outcome.plan.edits.map((e) => e.path)).toEqual([ROLLOUT_PATH, "config.py"]);
    expect(outcome.plan.dispatches).toHaveLength(1);
    expect(store.commits).toHaveLength(0);
    expect(store.dispatches).toHaveLength(0);
    expect(notifier.messages).toHaveLength(0);
  });

  it("is refused with the reasons, and nothing changes, without metrics", async () => {
    const { run, store } = setup(null);
    const outcome = await run({ verb: "advance", rollout: { id: "checkout" } });
    expect(outcome).toMatchObject({
      kind: "refused",
      message: "the gate is closed",
      reasons: [
        "health: yellow: error_rate < 1% over the stage (2h): no metrics source; rollback if error_rate > 5% for 5m: no metrics source",
      ],
    });
    expect(store.commits).toHaveLength(0);
    expect(store.files.get(ROLLOUT_PATH)).toBe(CHECKOUT_PLAN);
  });

  it("reports a missing sync file instead of half-applying", async () => {
    const { run, store } = setup();
    store.files.delete("config.py");
    await expect(run({ verb: "advance", rollout: { id: "checkout" } })).rejects.toMatchObject({
      code: "REFUSED",
      details: ["config.py: sync file not found"],
    });
    expect(store.commits).toHaveLength(0);
  });
});

describe("rollback", () => {
  it("commits, dispatches the rollback workflow with inputs, posts red", async () => {
    const { run, store, notifier } = setup({ error_rate: () => 0.09 });
    const outcome = await run({
      verb: "rollback",
      rollout: { id: "checkout" },
      to: 0,
      reason: "pager",
    });
    expect(outcome).toMatchObject({
      kind: "applied",
      dispatches: [{ workflow: "rollback.yml", dispatched: true }],
    });
    expect(store.dispatches).toEqual([
      { workflow: "rollback.yml", inputs: { rollout: "checkout", from: "10", to: "0", reason: "pager" } },
    ]);
    const message = store.commits[0]?.message ?? "";
    expect(message).toMatch(/^rollout\(checkout\): rollback 10% → 0%\n/);
    expect(message).toContain("Rollout-Evidence: FAIL error_rate 9% > 5% for 5m — rollback trigger");
    expect(notifier.messages[0]?.colour).toBe("red");
    expect(store.files.get("config.py")).toBe("# traffic\ncanary_percent = 0.0\n");
  });

  it("still commits and reports when the dispatch fails or the notifier is down", async () => {
    const { services, store } = setup();
    store.failNextDispatch = new Error("502 Bad Gateway");
    const failingNotifier = { post: async () => Promise.reject(new Error("slack down")) };
    const outcome = await runCommand(
      { ...services, notifier: failingNotifier },
      {
        command: { verb: "rollback", rollout: { id: "checkout" } },
        principal: { kind: "local", user: "alice" },
        scope: store,
      },
    );
    expect(store.commits).toHaveLength(1);
    expect(outcome).toMatchObject({
      kind: "applied",
      notified: false,
      dispatches: [
        { workflow: "rollback.yml", dispatched: false, detail: "dispatch failed: 502 Bad Gateway" },
      ],
    });
  });

  it("re-reads and re-decides on a concurrent change: no lost update", async () => {
    const { run, store } = setup();
    // Another replica rolls back to 0% between our read and our write.
    const concurrent = CHECKOUT_PLAN.replace(
      "percent: 10\n  phase: baking",
      "percent: 0\n  phase: rolled_back",
    );
    const realCommit = store.commit.bind(store);
    let raced = false;
    store.commit = async (change) => {
      if (!raced) {
        raced = true;
        store.files.set(ROLLOUT_PATH, concurrent);
      }
      return realCommit(change);
    };
    const outcome = await run({ verb: "rollback", rollout: { id: "checkout" } });
    expect(outcome).toMatchObject({ kind: "refused", message: "already at 0%: nothing to roll back" });
    expect(store.files.get(ROLLOUT_PATH)).toBe(concurrent);
    expect(store.commits).toHaveLength(0);
  });

  it("gives up after bounded retries on a store that always conflicts", async () => {
    const { run, store } = setup();
    let attempts = 0;
    store.commit = async () => {
      attempts++;
      throw new RolloutError("CONFLICT", "changed");
    };
    await expect(run({ verb: "rollback", rollout: { id: "checkout" } })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(attempts).toBe(3);
  });
});

describe("lookup and invalid files", () => {
  it("suggests the closest id", async () => {
    const { run } = setup();
    await expect(run({ verb: "status", rollout: { id: "chekout" } })).rejects.toThrow(
      "no rollout 'chekout' in acme/shop. Did you mean 'checkout'?",
    );
  });
  it("refuses to act on an invalid file, with file:line diagnostics, and keeps it untouched", async () => {
    const broken = CHECKOUT_PLAN.replace("bake: 2h", "bake: two hours");
    const { run, store } = setup(healthy, broken);
    const error = await run({ verb: "rollback", rollout: { id: "checkout" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolloutError);
    expect((error as RolloutError).details[0]).toMatch(/^\.github\/rollouts\/checkout\.yml:11:11 /);
    expect(store.files.get(ROLLOUT_PATH)).toBe(broken);
    const status = await run({ verb: "status" });
    expect(status).toMatchObject({ kind: "status", statuses: [], invalid: [{ path: ROLLOUT_PATH }] });
  });
  it("checks the repo part of owner/repo:id", async () => {
    const { run } = setup();
    await expect(run({ verb: "status", rollout: { id: "checkout", repo: "acme/other" } })).rejects.toThrow(
      "acme/other:checkout is not in acme/shop",
    );
  });
  it("pause and resume write one reviewed change each", async () => {
    const { run, store } = setup();
    await run({ verb: "pause", rollout: { id: "checkout" }, reason: "holiday" });
    expect(store.files.get(ROLLOUT_PATH)).toContain("  phase: paused\n");
    expect(store.files.get(ROLLOUT_PATH)).toContain("  reason: holiday\n");
    await run({ verb: "resume", rollout: { id: "checkout" } });
    expect(store.files.get(ROLLOUT_PATH)).toBe(CHECKOUT_PLAN);
    expect(store.commits.map((c) => c.message.split("\n")[0])).toEqual([
      "rollout(checkout): pause at 10%",
      "rollout(checkout): resume at 10%",
    ]);
    expect(MemoryRepoStore.version(store.files.get(ROLLOUT_PATH)!)).toBe(
      MemoryRepoStore.version(CHECKOUT_PLAN),
    );
  });
});
