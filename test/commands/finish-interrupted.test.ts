import { describe, expect, it } from "vitest";
import { finishInterrupted } from "../../src/commands/finish-interrupted.ts";
import type { Intent } from "../../src/ports.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

/**
 * The intent journal in one process: a rollback whose dispatch failed is finished by the next
 * evaluation, exactly once; what cannot be finished is reported, never dropped silently.
 */

const start = new Date("2026-11-22T10:00:00Z");

function setup() {
  const env = memoryContext(
    { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
    { error_rate: () => 0.002 },
    start,
  );
  const journal = env.services.coordination.journal;
  return { ...env, journal };
}

const intent = (stage: Intent["stage"], extra: Partial<Intent> = {}): Intent => ({
  id: "i-1",
  repo: "acme/shop",
  rollout: "checkout",
  path: ROLLOUT_PATH,
  action: "rollback",
  from: 10,
  to: 0,
  dispatches: [
    { workflow: "rollback.yml", inputs: { rollout: "checkout", from: "10", to: "0", reason: "" } },
  ],
  stage,
  at: start.toISOString(),
  attempts: 0,
  ...extra,
});

describe("half-done transitions", () => {
  it("a rollback is journaled before its commit and forgotten once dispatched", async () => {
    const { run, store, journal } = setup();
    const outcome = await run({
      verb: "rollback",
      rollout: { id: "checkout" },
      to: 0,
      reason: "r",
    });
    expect(outcome.kind).toBe("applied");
    expect(store.dispatches).toHaveLength(1);
    expect(await journal.list("acme/shop")).toEqual([]);
  });

  it("a failed dispatch stays in the journal; the next evaluation dispatches it once and says so", async () => {
    const { ctx, run, store, journal, notifier, clock } = setup();
    store.failNextDispatch = new Error("GitHub is down");
    await run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "r" });
    expect(store.dispatches).toHaveLength(0);
    const [pending] = await journal.list("acme/shop");
    expect(pending).toMatchObject({ stage: "committed", attempts: 1, commit: store.commits[0]?.id });
    // Too fresh: it may belong to a live process.
    expect(await finishInterrupted(ctx, journal, { minAgeMs: 60_000 })).toEqual([]);
    clock.time = new Date(start.getTime() + 61_000);
    const [finished] = await finishInterrupted(ctx, journal, { minAgeMs: 60_000 });
    expect(finished).toMatchObject({ result: "finished", commit: store.commits[0]?.id });
    expect(store.dispatches).toEqual([pending!.dispatches[0]]);
    expect(notifier.messages.at(-1)?.headline).toMatch(
      /finished the interrupted rollback of checkout 10% → 0%/,
    );
    expect(await finishInterrupted(ctx, journal, { minAgeMs: 0 })).toEqual([]);
    expect(store.dispatches).toHaveLength(1);
  });

  it("a commit that never landed: nothing to finish, reported and forgotten", async () => {
    const { ctx, journal, notifier } = setup();
    await journal.record(intent("committing"));
    const [outcome] = await finishInterrupted(ctx, journal, { minAgeMs: 0 });
    expect(outcome?.result).toBe("not_committed");
    expect(notifier.messages.at(-1)?.headline).toMatch(/interrupted before its commit landed/);
    expect(await journal.list("acme/shop")).toEqual([]);
  });

  it("killed during the dispatch on a host that cannot list runs: reported loudly, not dispatched twice", async () => {
    const { ctx, run, store, journal, notifier } = setup();
    await run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "r" });
    const commit = store.commits[0]!.id;
    await journal.record(intent("dispatching", { commit }));
    const [outcome] = await finishInterrupted(ctx, journal, { minAgeMs: 0 });
    expect(outcome?.result).toBe("unknown");
    expect(notifier.messages.at(-1)?.headline).toMatch(/cannot tell whether it ran/);
    expect(store.dispatches).toHaveLength(1);
  });

  it("gives up after repeated dispatch failures, loudly", async () => {
    const { ctx, run, store, journal, notifier } = setup();
    await run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "r" });
    await journal.record(intent("committed", { commit: store.commits[0]!.id, attempts: 4 }));
    store.failNextDispatch = new Error("422 Unexpected inputs");
    const [outcome] = await finishInterrupted(ctx, journal, { minAgeMs: 0 });
    expect(outcome?.result).toBe("unknown");
    expect(notifier.messages.at(-1)?.headline).toMatch(/gave up dispatching rollback.yml/);
    expect(await journal.list("acme/shop")).toEqual([]);
  });

  it("a store that cannot dispatch (a local checkout): forgotten at once, never claimed as dispatched", async () => {
    const { ctx, run, store, journal, notifier } = setup();
    await run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "r" });
    const commit = store.commits[0]!.id;
    // What LocalRepoStore answers: no error, no dispatch, and no run ever on a commit.
    Object.assign(store, {
      dispatchWorkflow: async (d: { workflow: string }) => ({
        dispatched: false,
        unsupported: true,
        detail: `local checkout: workflow ${d.workflow} not dispatched`,
      }),
      dispatchedRuns: async () => 0,
    });
    for (const stage of ["committed", "dispatching"] as const) {
      await journal.record(intent(stage, { commit }));
      const [outcome] = await finishInterrupted(ctx, journal, { minAgeMs: 0 });
      expect(outcome).toMatchObject({ result: "not_dispatchable", commit });
      expect(outcome?.detail).toMatch(/rollback\.yml was not dispatched: local checkout/);
      expect(await journal.list("acme/shop")).toEqual([]);
      const said = notifier.messages.at(-1)?.headline ?? "";
      expect(said).toMatch(/is in Git \(commit \w+\); rollback\.yml was not dispatched/);
      expect(said).not.toMatch(/finished|dispatched rollback\.yml/);
    }
  });
});
