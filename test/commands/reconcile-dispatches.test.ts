import { describe, expect, it } from "vitest";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { EvaluationPass } from "../../src/commands/evaluation-pass.ts";
import { localServices } from "../../src/main/coordination.ts";
import type { RepoStore } from "../../src/ports.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";
import { CHECKOUT_PLAN, CONFIG_PY, memoryContext, ROLLOUT_PATH } from "../helpers/command-context.ts";

/**
 * A process killed between a rollback's commit and its dispatch, without Redis: its journal died
 * with it. The next process finds the commit in Git without its run and dispatches it, once.
 */

const start = new Date("2026-11-22T10:00:00Z");
const files = { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY };

/** A store that counts what the reconcile asks the host. */
function counted(store: MemoryRepoStore) {
  const calls = { history: 0, runs: 0 };
  const history = store.history.bind(store);
  const runs = store.dispatchRunsSince.bind(store);
  store.history = (path) => {
    calls.history++;
    return history(path);
  };
  store.dispatchRunsSince = (workflow, since) => {
    calls.runs++;
    return runs(workflow, since);
  };
  return calls;
}

/** A fresh process: new in-memory coordination (journal, dedupe), the same repository. */
function processOn(store: RepoStore, clock: { now(): Date }) {
  const notifier = new RecordingNotifier();
  const services = localServices({ metrics: () => undefined, notifier, clock, logger: silentLogger });
  return { notifier, pass: new EvaluationPass({ services, registry: new StaticRegistry([store]) }) };
}

async function crashedRollback() {
  const env = memoryContext(files, { error_rate: () => 0.002 }, start);
  // The dispatch never happens; the journal that knew it lives in the process that is now gone.
  env.store.failNextDispatch = new Error("SIGKILL");
  await env.run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "errors" });
  expect(env.store.commits).toHaveLength(1);
  expect(env.store.dispatches).toHaveLength(0);
  return env;
}

describe("reconciling dispatches with Git", () => {
  it("a fresh process dispatches the rollback its predecessor committed, once, and says so", async () => {
    const { store, clock } = await crashedRollback();
    clock.time = new Date(start.getTime() + 61_000);
    const calls = counted(store);
    const first = processOn(store, clock);
    await first.pass.runOnce();
    expect(store.dispatches).toEqual([
      { workflow: "rollback.yml", inputs: { rollout: "checkout", from: "10", to: "0", reason: "errors" } },
    ]);
    expect(first.notifier.messages.map((m) => m.headline).join("\n")).toMatch(
      /finished the interrupted rollback of checkout 10% → 0%: dispatched rollback\.yml/,
    );
    expect(calls).toEqual({ history: 1, runs: 1 });
    // The next passes remember the verdict for this version of the file: no request at all.
    await first.pass.runOnce();
    await first.pass.runOnce();
    expect(calls).toEqual({ history: 1, runs: 1 });
    // A second restart finds the run in the host's list: not dispatched again.
    const second = processOn(store, clock);
    expect(await second.pass.reconcileAll()).toEqual([]);
    await second.pass.runOnce();
    expect(store.dispatches).toHaveLength(1);
  });

  it("does not dispatch alongside the journal: a live process's own failed dispatch is its finisher's", async () => {
    const { store, clock, services } = await crashedRollback();
    clock.time = new Date(start.getTime() + 61_000);
    // The same process (its journal still holds the intent): the finisher dispatches, the reconcile not.
    const pass = new EvaluationPass({ services, registry: new StaticRegistry([store]) });
    await pass.runOnce();
    await pass.runOnce();
    expect(store.dispatches).toHaveLength(1);
  });

  it("a rollback dispatched normally is never dispatched again, even before its run is listed", async () => {
    const env = memoryContext(files, { error_rate: () => 0.002 }, start);
    await env.run({ verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "errors" });
    expect(env.store.dispatches).toHaveLength(1);
    env.store.runs.length = 0; // GitHub has not listed the run yet
    env.clock.time = new Date(start.getTime() + 61_000);
    await new EvaluationPass({ services: env.services, registry: new StaticRegistry([env.store]) }).runOnce();
    expect(env.store.dispatches).toHaveLength(1);
  });

  it("an idle pass over many rollouts asks the host nothing", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 100; i++)
      many[`.github/rollouts/r${i}.yml`] = CHECKOUT_PLAN.replace("config.py", `config${i}.py`);
    const clock = { time: start, now: () => clock.time };
    const store = new MemoryRepoStore("acme/shop", many, () => clock.time);
    const calls = counted(store);
    const { pass } = processOn(store, clock);
    await pass.runOnce();
    await pass.runOnce();
    expect(calls).toEqual({ history: 0, runs: 0 });
  });

  it("a store that cannot list runs (a checkout) is left alone: no fake 'finished' claims", async () => {
    const { store, clock } = await crashedRollback();
    clock.time = new Date(start.getTime() + 61_000);
    // As a local checkout: it cannot tell which workflows ran.
    (store as { dispatchRunsSince?: unknown }).dispatchRunsSince = undefined;
    const { pass, notifier } = processOn(store, clock);
    await pass.runOnce();
    expect(store.dispatches).toHaveLength(0);
    expect(notifier.messages.some((m) => /finished the interrupted/.test(m.headline ?? ""))).toBe(false);
  });
});
