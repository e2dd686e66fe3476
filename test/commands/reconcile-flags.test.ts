import { describe, expect, it } from "vitest";
import { reconcileFlags, reconcilePlannedFlags } from "../../src/commands/reconcile-flags.ts";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import { buildPlan } from "../../src/core/rollout/plan.ts";
import { FlagServiceError, MemoryFlagService, registryOf } from "../doubles/memory-flag-service.ts";

const TEXT = `stages:
  - percent: 10
  - percent: 50
flags:
  - { target: svc, flag: share }
  - { target: svc, flag: enabled, value: { stages: { 10: true }, rollback: false } }
  - { target: gone, flag: x }
state:
  percent: 10
  phase: baking
`;
const rollout = (text = TEXT) => {
  const parsed = parseRolloutFile(".github/rollouts/checkout.yml", text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.value;
};

describe("reconcileFlags", () => {
  it("writes what differs, reports every target, and is quiet the second time", async () => {
    const svc = new MemoryFlagService("svc");
    const input = { repo: "acme/shop", rollout: rollout(), services: registryOf(svc) };
    const first = await reconcileFlags(input);
    expect(first.map((r) => [r.flag, r.state, r.changed, r.detail])).toEqual([
      ["share", "ok", true, undefined],
      ["enabled", "ok", true, undefined],
      ["x", "failed", false, "unknown flag target 'gone'"],
    ]);
    const second = await reconcileFlags(input);
    expect(second.map((r) => [r.flag, r.state, r.changed])).toEqual([
      ["share", "ok", false],
      ["enabled", "ok", false],
      ["x", "failed", false],
    ]);
    expect(svc.writes).toEqual([
      { flag: "share", value: 10 },
      { flag: "enabled", value: true },
    ]);
  });

  it("check mode only reads; a write that does not stick is drifted; a crash is failed without details", async () => {
    const svc = new MemoryFlagService("svc");
    svc.values.set("share", 50);
    const input = { repo: "acme/shop", rollout: rollout(), services: registryOf(svc) };
    expect((await reconcileFlags({ ...input, mode: "check" }))[0]).toMatchObject({
      state: "drifted",
      observed: 50,
      changed: false,
    });
    expect(svc.writes).toEqual([]);
    svc.ignoreWrites = true;
    expect((await reconcileFlags(input))[0]).toMatchObject({
      state: "drifted",
      changed: true,
      observed: 50,
      detail: "written, but reads back different",
    });
    svc.ignoreWrites = false;
    svc.fault = new Error("socket hang up at https://user:pw@internal");
    expect((await reconcileFlags(input))[0]).toMatchObject({
      state: "failed",
      detail: "svc: unexpected error (see the bot's log)",
    });
    svc.fault = new FlagServiceError("svc: GET /x answered 503: the service failed", 503);
    expect((await reconcileFlags(input))[0]).toMatchObject({
      state: "failed",
      detail: "svc: GET /x answered 503: the service failed",
    });
    // The next pass re-applies what failed.
    expect((await reconcileFlags(input))[0]).toMatchObject({ state: "ok", changed: true, observed: 50 });
  });

  it("after a plan's commit, follows the committed file: a rollback turns the typed flag off", async () => {
    const svc = new MemoryFlagService("svc");
    const before = rollout(TEXT.replace("  percent: 10\n", "  percent: 50\n"));
    const result = buildPlan({
      rollout: before,
      action: "rollback",
      result: {
        ok: true,
        from: { percent: 50, phase: "baking" },
        to: { percent: 10, phase: "rolled_back" },
        summary: "",
      },
      actor: "alice",
      health: { status: "red", reasons: [] },
      syncFiles: new Map(),
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.flagWrites.map((w) => [w.target, w.flag, w.value])).toEqual([
      ["svc", "share", 10],
      ["svc", "enabled", false],
      ["gone", "x", 10],
    ]);
    const reports = await reconcilePlannedFlags({
      repo: "acme/shop",
      plan: result.plan,
      services: registryOf(svc),
    });
    expect(reports.map((r) => [r.flag, r.state])).toEqual([
      ["share", "ok"],
      ["enabled", "ok"],
      ["x", "failed"],
    ]);
    expect(Object.fromEntries(svc.values)).toEqual({ share: 10, enabled: false });
  });
});
