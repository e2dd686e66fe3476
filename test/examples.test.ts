import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { alertPolicy } from "../src/core/alerts/alert-policy.ts";
import { FlagTargetsFile } from "../src/core/config/flag-targets-schema.ts";
import { parseRolloutFile, parseSettingsFile } from "../src/core/config/rollout-file.ts";
import type { Settings } from "../src/core/config/settings-schema.ts";
import { applySyncTarget } from "../src/core/config/sync-target.ts";
import { buildPlan } from "../src/core/rollout/plan.ts";
import { statusSchedule } from "../src/core/rollout/status-schedule.ts";
import {
  EXAMPLES_DIR,
  exampleFiles,
  exampleRepos,
  loadExample,
  readExampleFile,
} from "./helpers/examples.ts";
import { closedChecks, failing, type Readings, Walk } from "./helpers/walk.ts";

/** The example repositories: every file valid, and each plan walked through every stage by the pure core. */

const START = "2026-11-23T09:00:00Z"; // a Monday
const plus = (iso: string, seconds: number) =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString().replace(".000Z", "Z");
const DAY = 86_400;
const HOUR = 3600;

function refusal(result: ReturnType<Walk["advance"]>) {
  return result.ok ? undefined : result.refusal;
}

describe("example files", () => {
  const files = exampleFiles();

  it("has the five example repositories and eight rollouts", () => {
    expect(exampleRepos()).toEqual(["api-v4", "dealerscope", "farmers-market", "places-api", "reptate"]);
    expect(files.filter((f) => f.kind === "rollout").map((f) => `${f.repo}/${f.path}`)).toHaveLength(8);
  });

  it.each(files.map((f) => [`${f.repo}/${f.path}`, f] as const))("%s parses with no diagnostics", (_, f) => {
    const parsed =
      f.kind === "rollout" ? parseRolloutFile(f.path, f.text) : parseSettingsFile(f.path, f.text);
    expect(parsed.ok ? [] : parsed.diagnostics).toEqual([]);
  });

  it.each(files.filter((f) => f.kind === "rollout").map((f) => [`${f.repo}/${f.path}`, f] as const))(
    "%s: every sync file exists and follows every stage",
    (_, f) => {
      const parsed = parseRolloutFile(f.path, f.text);
      if (!parsed.ok) throw new Error("invalid");
      const { file } = parsed.value;
      expect(file.sync.length).toBeGreaterThan(0);
      for (const target of file.sync) {
        const text = readExampleFile(f.repo, target.file);
        // The file holds the current percentage (or what its last rollback wrote)…
        const current = file.state?.percent ?? 0;
        const event = file.state?.phase === "rolled_back" ? "rollback" : "advance";
        const now = applySyncTarget(text, target, current, event);
        expect(now.ok ? now.text : now.message).toBe(text);
        // …and takes every stage's.
        for (const { percent } of file.stages) {
          for (const event of ["advance", "rollback"] as const) {
            const moved = applySyncTarget(text, target, percent, event);
            expect(moved.ok ? "ok" : moved.message).toBe("ok");
          }
        }
      }
    },
  );

  it("names only flag targets the example operator file defines", () => {
    const parsed = FlagTargetsFile.safeParse(
      YAML.parse(readFileSync(join(EXAMPLES_DIR, "flag-targets.yml"), "utf8")),
    );
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    const defined = Object.keys(parsed.data?.targets ?? {});
    const named = files.flatMap((f) => {
      const rollout = f.kind === "rollout" ? parseRolloutFile(f.path, f.text) : undefined;
      return rollout?.ok ? rollout.value.file.flags.map((flag) => flag.target) : [];
    });
    expect(named.length).toBeGreaterThan(1);
    for (const target of named) expect(defined).toContain(target);
  });

  it("README lists every example repository with its status command", () => {
    const readme = readFileSync(join(EXAMPLES_DIR, "README.md"), "utf8");
    for (const repo of exampleRepos()) {
      expect(readme).toContain(`rollout status --dir examples/${repo}`);
    }
  });
});

describe("places-api: 10% 14d → 50% 7d → 100% 7d", () => {
  const healthy: Readings = { error_rate: 0.004, p99_latency: 1.2 };
  const config = "receipt_places/config.py";
  const walk = () =>
    new Walk(loadExample("places-api", "places-api-v1"), {
      start: START,
      syncFiles: { [config]: readExampleFile("places-api", config) },
    });

  it("starts pending at 0%, with nothing to measure", () => {
    const w = walk();
    expect(w.view).toMatchObject({ percent: 0, stage: 0, stageCount: 3, phase: "pending" });
    expect(w.requests()).toEqual([]);
    expect(w.health(healthy)).toEqual({
      status: "green",
      reasons: [{ kind: "info", status: "green", pass: true, text: "0%: no traffic on the new version" }],
    });
    expect(w.syncFiles.get(config)).toContain("v1_traffic_percentage = 0.0\n");
  });

  it("walks every stage on healthy metrics, advancing only when each bake ends", () => {
    const w = walk();
    expect(w.walkToCompletion(() => healthy)).toEqual([0, 10, 50, 100]);
    expect(w.steps).toEqual([
      { at: "2026-11-23T09:00:00.000Z", action: "advance", percent: 10, phase: "baking" },
      { at: "2026-12-07T09:00:00.000Z", action: "advance", percent: 50, phase: "baking" },
      { at: "2026-12-14T09:00:00.000Z", action: "advance", percent: 100, phase: "baking" },
      { at: "2026-12-21T09:00:00.000Z", action: "complete", percent: 100, phase: "complete" },
    ]);
    expect(w.file.state).toEqual({ percent: 100, phase: "complete", started_at: "2026-12-14T09:00:00Z" });
    expect(w.syncFiles.get(config)).toContain("v1_traffic_percentage = 100.0\n");
    expect(w.syncFiles.get(config)).toContain("\ncreate_receipt_place = True\n");
    // The bot's edits kept the comments.
    expect(w.text).toContain("# Two weeks at 10%");
    expect(refusal(w.advance(healthy))?.message).toBe("already complete at 100%");
  });

  it("asks for the stage's error rate over the whole stage and the triggers over 5 minutes", () => {
    const w = walk();
    w.advance(healthy);
    w.tick("2d");
    const requests = w.requests().map((r) => ({ metric: r.metric, window: r.window }));
    expect(requests).toEqual([
      { metric: "error_rate", window: { seconds: 2 * DAY, hold: "max" } },
      { metric: "p99_latency", window: { seconds: HOUR, hold: "max" } },
      { metric: "error_rate", window: { seconds: 300, hold: "min" } },
      { metric: "p99_latency", window: { seconds: 300, hold: "min" } },
    ]);
    expect(w.health(healthy).reasons.map((r) => r.text)).toEqual([
      "error_rate 0.4% (< 1% over the stage (2d))",
      "p99_latency 1.2s (< 2s for 1h)",
      "error_rate 0.4% (rollback if > 5% for 5m)",
      "p99_latency 1.2s (rollback if > 5s for 5m)",
    ]);
  });

  it("keeps the gate closed (yellow) at 50% while the error rate is above 1.5%, or unknown", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    expect(w.percent).toBe(50);
    w.tick("7d");
    const sick = { ...healthy, error_rate: 0.02 };
    expect(w.health(sick).status).toBe("yellow");
    expect(failing(w.health(sick))).toEqual(["error_rate 2% (< 1.5% over the stage (7d))"]);
    expect(closedChecks(w.gate(sick))).toEqual([
      "health: yellow: error_rate 2% (< 1.5% over the stage (7d))",
    ]);
    expect(refusal(w.advance(sick))).toEqual({
      message: "the gate is closed",
      reasons: ["health: yellow: error_rate 2% (< 1.5% over the stage (7d))"],
    });
    // 1.2% passes at 50% although it would have failed at 10%.
    expect(w.health({ ...healthy, error_rate: 0.012 }).status).toBe("green");
    expect(failing(w.health({ ...healthy, p99_latency: 2.7 }))).toEqual(["p99_latency 2.7s (< 2.5s for 1h)"]);
    // No data is never green.
    expect(w.health({ p99_latency: 1.2 })).toMatchObject({ status: "yellow" });
    expect(failing(w.health({ p99_latency: 1.2 }))).toEqual([
      "error_rate < 1.5% over the stage (7d): no data",
      "rollback if error_rate > 5% for 5m: no data",
    ]);
    expect(w.percent).toBe(50);
    expect(w.advance(healthy).ok).toBe(true);
    expect(w.percent).toBe(100);
  });

  it("rolls back a stage on a 5% error rate; retries 50% after its 2-day cooldown on green, without 14 more days at 10%", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("2d");
    const at = w.now.toISOString().replace(".000Z", "Z");
    const { health, result } = w.rollbackOnRed({ ...healthy, error_rate: 0.07 });
    expect(failing(health)).toEqual([
      "error_rate 7% (< 1.5% over the stage (2d))",
      "error_rate 7% > 5% for 5m — rollback trigger",
    ]);
    expect(result.ok && result.summary).toBe("50% → 10%");
    expect(w.file.state).toEqual({
      percent: 10,
      phase: "rolled_back",
      started_at: at,
      cooldown_until: plus(at, 2 * DAY),
      reason: "automatic: error_rate 7% > 5% for 5m — rollback trigger",
      rolled_back_from: 50,
    });
    expect(w.syncFiles.get(config)).toContain("v1_traffic_percentage = 10.0\n");
    // The plan's rollback step, in the same change: receipts stay in the legacy store.
    expect(w.syncFiles.get(config)).toContain("\ncreate_receipt_place = False\n");
    // The queries still see the 50% stage's errors for a few minutes: the 10% stage warms up first.
    expect(w.health({ ...healthy, error_rate: 0.07 }).status).toBe("yellow");
    expect(w.decide({ ...healthy, error_rate: 0.07 })).toEqual({ action: "none" });

    w.tick("1d");
    expect(refusal(w.advance(healthy, { force: true }))).toEqual({
      message: "the gate is closed",
      reasons: [`cooldown: cooling down until ${plus(at, 2 * DAY)}`],
    });
    w.tick("1d");
    // "Wait 2 days, retry phase 2": the cooldown and green health over the 10% stage since the rollback.
    expect(w.gate(healthy).checks.find((c) => c.name === "bake")?.detail).toBe(
      "retry of 50%: 10% baked before the rollback; needs the cooldown and green health",
    );
    expect(refusal(w.advance({ ...healthy, error_rate: 0.012 }))?.reasons).toEqual([
      "health: yellow: error_rate 1.2% (< 1% over the stage (2d))",
    ]);
    expect(w.advance(healthy).ok).toBe(true);
    expect(w.file.state).toEqual({ percent: 50, phase: "baking", started_at: plus(at, 2 * DAY) });
    expect(w.percents).toEqual([0, 10, 50, 10, 50]);
  });

  it("stays armed after the step down: fresh errors at 10% step down again, to 0% with the 3-day cooldown", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("1h");
    w.rollbackOnRed({ ...healthy, error_rate: 0.07 });
    w.tick("10m");
    const at = w.now.toISOString().replace(".000Z", "Z");
    const { result } = w.rollbackOnRed({ ...healthy, error_rate: 0.07 });
    expect(result.ok && result.summary).toBe("10% → 0%");
    expect(w.file.state).toMatchObject({
      percent: 0,
      cooldown_until: plus(at, 3 * DAY),
      rolled_back_from: 10,
    });
  });

  it("posts every 4 hours at 10% and every 2 hours from 50%", () => {
    const w = walk();
    expect(statusSchedule(w.file, w.settings)).toEqual({ cron: "0 */4 * * *", timezone: "America/New_York" });
    w.advance(healthy);
    expect(statusSchedule(w.file, w.settings).cron).toBe("0 */4 * * *");
    w.bakeAndMoveOn(() => healthy);
    expect(statusSchedule(w.file, w.settings).cron).toBe("0 */2 * * *");
  });

  it("does not count a 10-day pause as bake", () => {
    const w = walk();
    w.advance(healthy);
    w.tick("2d");
    expect(w.apply({ kind: "pause", reason: "holiday freeze" }).ok).toBe(true);
    w.tick("10d");
    expect(w.apply({ kind: "resume" }).ok).toBe(true);
    expect(w.file.state).toMatchObject({ phase: "baking", paused_seconds: 10 * DAY });
    w.tick("2d");
    // 14 days on the calendar, 4 of them baking.
    expect(refusal(w.advance(healthy))?.reasons).toEqual(["bake: 4d of 14d baked (10d paused, not counted)"]);
    w.tick("10d");
    expect(w.advance(healthy).ok).toBe(true);
    expect(w.file.state).toEqual({ percent: 50, phase: "baking", started_at: plus(START, 24 * DAY) });
  });
});

describe("reptate: 5% 1h → 25% 4h → 50% 8h → 100%, automatic", () => {
  // No errors; canary p99 410ms against a 400ms baseline: +2.5%; memory 1.1× last week's.
  const healthy: Readings = {
    error_rate: 0,
    canary_p99: 0.41,
    baseline_p99: 0.4,
    canary_memory: 330e6,
    baseline_memory: 300e6,
  };
  const values = "deploy/values.yaml";
  const walk = () =>
    new Walk(loadExample("reptate", "reptate-canary"), {
      start: START,
      syncFiles: { [values]: readExampleFile("reptate", values) },
    });

  it("is fully automatic", () => {
    expect(walk().file.automation).toEqual({ auto_advance: true, auto_rollback: true, auto_merge: true });
  });

  it("walks every stage in 13 hours on healthy metrics and completes at 100% once its 10-minute windows are full", () => {
    const w = walk();
    expect(w.walkToCompletion(() => healthy)).toEqual([0, 5, 25, 50, 100]);
    expect(w.steps.map((s) => [s.at.slice(11, 16), s.action, s.percent])).toEqual([
      ["09:00", "advance", 5],
      ["10:00", "advance", 25],
      ["14:00", "advance", 50],
      ["22:00", "advance", 100],
      ["22:10", "complete", 100],
    ]);
    expect(YAML.parse(w.syncFiles.get(values) ?? "").canary.weight).toBe(100);
    expect(w.syncFiles.get(values)).toContain("# canary.weight is managed by rollout-bot");
  });

  it("holds at 25% while p99 is 12% above the baseline (limit +10%), and without a baseline", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    expect(w.percent).toBe(25);
    w.tick("4h");
    const slow = { ...healthy, canary_p99: 0.448 };
    expect(failing(w.health(slow))).toEqual([
      "canary_p99 vs baseline_p99 (increase) +12% (< +10% over the stage (4h))",
    ]);
    expect(refusal(w.advance(slow))?.reasons).toEqual([
      "health: yellow: canary_p99 vs baseline_p99 (increase) +12% (< +10% over the stage (4h))",
    ]);
    // +12% would have been fine at 50% (limit +15%): the limit is the current stage's.
    const noBaseline = { error_rate: 0.0005, canary_p99: 0.41, canary_memory: 330e6, baseline_memory: 300e6 };
    expect(w.health(noBaseline).status).toBe("yellow");
    expect(failing(w.health(noBaseline))).toEqual([
      "canary_p99 vs baseline_p99 (increase) < +10% over the stage (4h): no data",
      "rollback if canary_p99 vs baseline_p99 (ratio) > 2× for 10m: no data",
    ]);
  });

  it("rolls back on any error at 5%, above 0.5% at 25%, above 1% at 50%", () => {
    const w = walk();
    w.advance(healthy);
    w.tick("30m");
    expect(failing(w.health({ ...healthy, error_rate: 0.0002 }))).toContain(
      "error_rate 0.02% > 0% now — rollback trigger",
    );
    expect(w.rollbackOnRed({ ...healthy, error_rate: 0.0002 }).result).toMatchObject({
      ok: true,
      summary: "5% → 0%",
    });
    const at25 = walk();
    at25.advance(healthy);
    at25.bakeAndMoveOn(() => healthy);
    at25.tick("1h");
    expect(at25.health({ ...healthy, error_rate: 0.004 }).status).toBe("green");
    expect(at25.health({ ...healthy, error_rate: 0.006 }).status).toBe("red");
    at25.tick("3h");
    expect(at25.advance(healthy).ok).toBe(true);
    at25.tick("1h");
    expect(at25.percent).toBe(50);
    expect(at25.health({ ...healthy, error_rate: 0.004 }).status).toBe("green");
    // 0.6% at 50% is no rollback, but a slow burn on-call hears of.
    expect(at25.health({ ...healthy, error_rate: 0.006 }).status).toBe("yellow");
    expect(at25.health({ ...healthy, error_rate: 0.012 }).status).toBe("red");
  });

  it("rolls back when memory is more than twice last week's, and tells on-call of a slow burn", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("1h");
    const leak = { ...healthy, canary_memory: 660e6 };
    expect(failing(w.health(leak))).toEqual([
      "canary_memory vs baseline_memory (ratio) 2.2× > 2× for 10m — rollback trigger",
    ]);
    const burn = { ...healthy, error_rate: 0.008 };
    expect(w.health(burn).status).toBe("yellow");
    expect(failing(w.health(burn))).toEqual(["error_rate 0.8% > 0.5% for 30m — warning"]);
    expect(w.decide(burn)).toEqual({ action: "none" });
    expect(w.rollbackOnRed(leak).result).toMatchObject({ ok: true, summary: "50% → 25%" });
  });

  it("leaves a rollback at 100% to a person: the bot warns on-call and rolls nothing back", () => {
    const w = walk();
    w.walkToCompletion(() => healthy);
    const w100 = new Walk(
      { ...w.rollout, file: { ...w.file, state: { ...w.file.state!, phase: "baking" } } },
      {
        start: w.now.toISOString(),
        syncFiles: Object.fromEntries(w.syncFiles),
      },
    );
    const bad = { ...healthy, error_rate: 0.07, canary_memory: 700e6 };
    expect(w100.health(bad).status).toBe("yellow");
    expect(failing(w100.health(bad))).toEqual([
      "error_rate 7% (< 1% now)",
      "error_rate 7% > 1% for 10m — warning",
      "canary_memory vs baseline_memory (ratio) 2.33× > 2× for 10m — warning",
    ]);
    expect(w100.decide(bad)).toEqual({ action: "none" });
  });

  it("rolls back 50% → 25% when p99 is more than twice the baseline, and cools down a week", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.bakeAndMoveOn(() => healthy);
    expect(w.percent).toBe(50);
    w.tick("30m");
    const at = w.now.toISOString().replace(".000Z", "Z");
    const spike = { ...healthy, canary_p99: 0.9 };
    const health = w.health(spike);
    expect(health.status).toBe("red");
    expect(health.reasons.filter((r) => r.status === "red").map((r) => r.text)).toEqual([
      "canary_p99 vs baseline_p99 (ratio) 2.25× > 2× for 10m — rollback trigger",
    ]);
    const { result } = w.rollbackOnRed(spike);
    expect(result.ok && result.summary).toBe("50% → 25%");
    expect(w.file.state?.cooldown_until).toBe(plus(at, 7 * DAY));
    expect(YAML.parse(w.syncFiles.get(values) ?? "").canary.weight).toBe(25);

    // The rollback's plan dispatches the team's rollback workflow with the audit inputs.
    if (!result.ok) throw new Error("rollback refused");
    const before = walk().rollout;
    const plan = buildPlan({
      rollout: { ...before, file: { ...before.file, state: result.from } },
      action: "rollback",
      result,
      actor: "rollout-bot",
      reason: "p99 above 2x baseline",
      health,
      syncFiles: new Map([
        [values, { text: readExampleFile("reptate", values).replace("weight: 0", "weight: 50") }],
      ]),
    });
    expect(plan.ok && plan.plan.dispatches).toEqual([
      {
        workflow: "reptate-rollback.yml",
        inputs: { rollout: "reptate-canary", from: "50", to: "25", reason: "p99 above 2x baseline" },
      },
    ]);

    w.tick("6d");
    expect(refusal(w.advance(healthy))?.reasons).toEqual([
      `cooldown: cooling down until ${plus(at, 7 * DAY)}`,
    ]);
    w.tick("1d");
    expect(w.advance(healthy).ok).toBe(true);
    expect(w.percents).toEqual([0, 5, 25, 50, 25, 50]);
  });
});

describe("api-v4: 5 → 10 → 25 → 50 → 100, a stage a day", () => {
  const healthy: Readings = { error_rate: 0.004, response_time: 320 };
  const routing = "config/routing.json";
  const flagd = "config/flagd.json";
  const weight = (w: Walk) => JSON.parse(w.syncFiles.get(routing) ?? "{}").routes.api_v4.weight;
  const walk = () =>
    new Walk(loadExample("api-v4", "api-v4"), {
      start: START,
      syncFiles: { [routing]: readExampleFile("api-v4", routing), [flagd]: readExampleFile("api-v4", flagd) },
    });

  it("walks every stage in five days, writing the weight as a fraction", () => {
    const w = walk();
    expect(w.file.automation?.auto_advance).toBe(true);
    w.advance(healthy);
    expect(weight(w)).toBe(0.05);
    expect(w.walkToCompletion(() => healthy)).toEqual([0, 5, 10, 25, 50, 100]);
    expect(w.steps.map((s) => s.at.slice(0, 10))).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
      "2026-11-27",
      "2026-11-28",
    ]);
    expect(w.phase).toBe("complete");
    expect(weight(w)).toBe(1);
    expect(
      JSON.parse(w.syncFiles.get(flagd) ?? "{}").flags["api-v4-clients"].targeting.fractional.slice(1),
    ).toEqual([
      ["on", 100],
      ["off", 0],
    ]);
  });

  it("needs one approval up to 25% and two for 50% and 100%", () => {
    const w = walk();
    const needed: number[] = [];
    w.advance(healthy);
    while (w.view.next) {
      needed.push(w.requiredApprovals());
      w.bakeAndMoveOn(() => healthy);
    }
    expect(needed).toEqual([1, 1, 2, 2]);
  });

  it("refuses 25% → 50% with a single approval", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("24h");
    expect(w.percent).toBe(25);
    expect(closedChecks(w.gate(healthy, { approvals: 1 }))).toEqual(["approvals: 1 of 2 approvals"]);
    expect(w.gate(healthy, { approvals: 2 })).toMatchObject({
      open: true,
      nextPercent: 50,
      requiredApprovals: 2,
    });
  });

  it("holds at 10% while response time is above 800 ms", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("24h");
    const slow = { ...healthy, response_time: 950 };
    expect(w.health(slow).status).toBe("yellow");
    expect(failing(w.health(slow))).toEqual(["response_time 950ms (< 800ms for 1h)"]);
    // 950 ms was fine at 5% (limit 1000 ms) but is not at 10%.
    expect(closedChecks(w.gate(slow, { approvals: 1 }))).toEqual([
      "health: yellow: response_time 950ms (< 800ms for 1h)",
    ]);
  });

  it("steps down one stage when response time passes 2 s", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("3h");
    const { result } = w.rollbackOnRed({ ...healthy, response_time: 2400 });
    expect(result.ok && result.summary).toBe("10% → 5%");
    expect(weight(w)).toBe(0.05);
  });

  it("goes straight to 0% on the emergency trigger, and stays there for the 2-day cooldown", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("2h");
    const at = w.now.toISOString().replace(".000Z", "Z");
    const { health, result } = w.rollbackOnRed({ ...healthy, error_rate: 0.25 });
    expect(health.reasons.filter((r) => r.status === "red").map((r) => [r.text, r.rollbackTo])).toEqual([
      ["error_rate 25% > 10% for 2m — rollback trigger", 0],
      ["error_rate 25% > 5% for 5m — rollback trigger", undefined],
    ]);
    expect(result.ok && result.summary).toBe("25% → 0%");
    expect(w.file.state).toMatchObject({
      percent: 0,
      phase: "rolled_back",
      cooldown_until: plus(at, 2 * DAY),
    });
    expect(weight(w)).toBe(0);
    expect(w.view.stage).toBe(0);
    expect(refusal(w.advance(healthy))?.reasons).toEqual([
      `cooldown: cooling down until ${plus(at, 2 * DAY)}`,
    ]);
    w.tick("2d");
    expect(w.advance(healthy).ok).toBe(true);
    expect(w.percents).toEqual([0, 5, 10, 25, 0, 5]);
  });
});

describe("api-v4: protection that stays armed", () => {
  const healthy: Readings = { error_rate: 0.004, response_time: 320 };
  const routing = "config/routing.json";
  const flagd = "config/flagd.json";
  const walk = () =>
    new Walk(loadExample("api-v4", "api-v4"), {
      start: START,
      syncFiles: { [routing]: readExampleFile("api-v4", routing), [flagd]: readExampleFile("api-v4", flagd) },
    });

  it("after a step down to 10%, 60% errors still send it to 0% — after the cooldown too", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("3h");
    expect(w.rollbackOnRed({ ...healthy, response_time: 2400 }).result).toMatchObject({
      summary: "25% → 10%",
    });
    w.tick("3d");
    const { health, result } = w.rollbackOnRed({ ...healthy, error_rate: 0.6 });
    expect(health.reasons.find((r) => r.rollbackTo === 0)?.text).toBe(
      "error_rate 60% > 10% for 2m — rollback trigger",
    );
    expect(result).toMatchObject({ ok: true, summary: "10% → 0%" });
    expect(w.percents).toEqual([0, 5, 10, 25, 10, 0]);
  });

  it("acts on an emergency during a stage's warm-up once its 2-minute window is full", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("1m");
    expect(w.health({ ...healthy, error_rate: 0.6 }).status).toBe("yellow");
    w.tick("1m");
    expect(w.rollbackOnRed({ ...healthy, error_rate: 0.6 }).result).toMatchObject({ summary: "10% → 0%" });
  });

  it("warns on-call of a slow burn above 1% at 50%, without rolling back", () => {
    const w = walk();
    w.advance(healthy);
    for (let i = 0; i < 3; i++) w.bakeAndMoveOn(() => healthy);
    expect(w.percent).toBe(50);
    w.tick("2h");
    const burn = { ...healthy, error_rate: 0.015 };
    expect(failing(w.health(burn))).toEqual([
      "error_rate 1.5% (< 1% for 1h)",
      "error_rate 1.5% > 1% for 30m — warning",
    ]);
    expect(w.decide(burn)).toEqual({ action: "none" });
  });

  it("sends a critical alert to 0% and only tells of a warning", () => {
    const file = walk().file;
    expect(alertPolicy(file, "critical")).toEqual({ action: "rollback", to: 0 });
    expect(alertPolicy(file, "warning")).toEqual({ action: "notify" });
  });
});

describe("farmers-market: 10% 48h → 50% 72h → 100%, cache hit ratio at least, p95 at most", () => {
  const healthy: Readings = { cache_hit_ratio: 0.65, p95_latency: 140, error_rate: 0.001 };
  const tfvars = "infra/edge-cache.auto.tfvars";
  const walk = () =>
    new Walk(loadExample("farmers-market", "farmers-market"), {
      start: START,
      syncFiles: { [tfvars]: readExampleFile("farmers-market", tfvars) },
    });

  it("walks every stage on a warm cache", () => {
    const w = walk();
    expect(w.walkToCompletion(() => healthy)).toEqual([0, 10, 50, 100]);
    expect(w.steps.map((s) => [s.at, s.action, s.percent])).toEqual([
      ["2026-11-23T09:00:00.000Z", "advance", 10],
      ["2026-11-25T09:00:00.000Z", "advance", 50],
      ["2026-11-28T09:00:00.000Z", "advance", 100],
      // The 6-hour windows are judged on 100% itself, not on the 50% stage before it.
      ["2026-11-28T15:00:00.000Z", "complete", 100],
    ]);
    expect(w.syncFiles.get(tfvars)).toContain("edge_cache_traffic_percent = 100\n");
  });

  it("judges at_least and at_most inclusively, with the thresholds of the current stage", () => {
    const w = walk();
    w.advance(healthy);
    w.tick("48h");
    // Exactly on the thresholds: 30% hit ratio, 200 ms.
    expect(w.health({ ...healthy, cache_hit_ratio: 0.3, p95_latency: 200 }).status).toBe("green");
    expect(failing(w.health({ ...healthy, cache_hit_ratio: 0.25, p95_latency: 210 }))).toEqual([
      "cache_hit_ratio 25% (≥ 30% for 6h)",
      "p95_latency 210ms (≤ 200ms for 6h)",
    ]);
    const warmish = { ...healthy, cache_hit_ratio: 0.4 };
    expect(w.advance(warmish).ok).toBe(true);
    w.tick("72h");
    expect(closedChecks(w.gate(warmish))).toEqual(["health: yellow: cache_hit_ratio 40% (≥ 50% for 6h)"]);
  });

  it("steps down on p95 above 2 s or errors above 2%, pauses a cache that does not warm", () => {
    const w = walk();
    w.advance(healthy);
    w.tick("6h");
    expect(failing(w.health({ ...healthy, error_rate: 0.03 }))).toContain(
      "error_rate 3% > 2% for 5m — rollback trigger",
    );
    const cold = { ...healthy, cache_hit_ratio: 0.1 };
    expect(w.decide(cold)).toEqual({
      action: "pause",
      reason: "automatic: cache_hit_ratio 10% < 15% for 1h — pause trigger",
    });
    expect(failing(w.health({ ...healthy, p95_latency: 1500 }))).toEqual([
      "p95_latency 1500ms (≤ 200ms for 6h)",
    ]);
  });

  it("steps down on slow responses and goes to 0% when the cache itself errors", () => {
    const w = walk();
    w.advance(healthy);
    w.bakeAndMoveOn(() => healthy);
    w.tick("1h");
    const slow = w.rollbackOnRed({ ...healthy, p95_latency: 2400 });
    expect(failing(slow.health)).toContain("p95_latency 2400ms > 2000ms for 10m — rollback trigger");
    expect(slow.result.ok && slow.result.summary).toBe("50% → 10%");
    const at = w.now.toISOString().replace(".000Z", "Z");
    expect(w.file.state?.cooldown_until).toBe(plus(at, 2 * DAY));

    // A person may still roll back further; the emergency trigger does so by itself.
    w.tick("10m");
    const errors = w.health({ ...healthy, error_rate: 0.15 });
    expect(errors.reasons.find((r) => r.rollbackTo === 0)).toMatchObject({
      text: "error_rate 15% > 10% for 5m — rollback trigger",
      rollbackTo: 0,
    });
    expect(w.rollback({ to: 0, reason: "edge cache 5xx" }).ok).toBe(true);
    expect(w.file.state).toMatchObject({ percent: 0, phase: "rolled_back", reason: "edge cache 5xx" });
    expect(w.syncFiles.get(tfvars)).toContain("edge_cache_traffic_percent = 0\n");
  });
});

describe("dealerscope: several rollouts under one settings file, on Sunday 2026-11-22", () => {
  const settingsText = readExampleFile("dealerscope", ".github/rollout-bot.yml");
  const parsed = parseSettingsFile(".github/rollout-bot.yml", settingsText);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  const settings: Settings = parsed.value;
  const flags = "config/flags.yml";
  const walk = (id: string, start: string) =>
    new Walk(loadExample("dealerscope", id), {
      start,
      settings,
      syncFiles: { [flags]: readExampleFile("dealerscope", flags) },
    });
  const SUNDAY = "2026-11-22T18:00:00Z"; // noon in Chicago
  const MONDAY = "2026-11-23T16:00:00Z"; // 10:00 in Chicago
  const healthyInventory: Readings = { sync_error_rate: 0.001, sync_lag: 45 };

  it("restricts rollback_all to on-call while rollback stays open to on-call too", () => {
    const oncall = { slack_groups: ["S04ONCALL1"], github_teams: ["dealerscope/oncall"] };
    expect(settings.permissions.rollback_all).toMatchObject(oncall);
    expect(settings.permissions.rollback?.slack_groups).toContain("S04ONCALL1");
    expect(settings.permissions.rollback?.github_teams).toContain("dealerscope/oncall");
    expect(settings.permissions.advance?.slack_groups).not.toContain("S04ONCALL1");
    expect(settings.defaults).toEqual({ approvals: 1, cooldown: 3 * DAY, rollback_target: "previous" });
  });

  it("shows each rollout where it is: baking, paused, rolled back in cooldown", () => {
    const views = ["inventory-sync", "price-alerts", "vin-decoder"].map((id) => {
      const v = walk(id, SUNDAY).view;
      return [id, v.percent, v.phase, v.cooldownUntil?.toISOString()];
    });
    expect(views).toEqual([
      ["inventory-sync", 25, "baking", undefined],
      ["price-alerts", 10, "paused", undefined],
      ["vin-decoder", 5, "rolled_back", "2026-11-24T10:12:00.000Z"],
    ]);
  });

  it("freezes advances over the weekend and over Thanksgiving, never rollbacks", () => {
    const sunday = walk("inventory-sync", SUNDAY);
    expect(closedChecks(sunday.gate(healthyInventory))).toEqual([
      "freeze: freeze window 'weekend' is active",
    ]);
    expect(refusal(sunday.advance(healthyInventory))?.reasons).toEqual([
      "freeze: freeze window 'weekend' is active",
    ]);
    const monday = walk("inventory-sync", MONDAY);
    expect(monday.gate(healthyInventory, { approvals: 2 })).toMatchObject({ open: true, nextPercent: 100 });
    const thanksgiving = walk("inventory-sync", "2026-11-25T19:00:00Z");
    expect(closedChecks(thanksgiving.gate(healthyInventory))).toEqual([
      "freeze: freeze window 'Thanksgiving and Black Friday' is active",
    ]);
    // Rollback is always allowed, with the rollout's own 1-day cooldown.
    expect(sunday.rollback({ reason: "DMS feed duplicates" }).ok).toBe(true);
    expect(sunday.file.state).toMatchObject({ percent: 5, cooldown_until: "2026-11-23T18:00:00Z" });
    expect(YAML.parse(sunday.syncFiles.get(flags) ?? "").flags.inventory_sync.percent).toBe(5);
  });

  it("keeps the paused rollout closed until it is resumed", () => {
    const w = walk("price-alerts", MONDAY);
    const healthy = { delivery_failure_rate: 0.004, unsubscribe_rate: 0.001 };
    // Paused since Thursday 09:00: the bake clock stopped then.
    expect(closedChecks(w.gate(healthy))).toEqual([
      "bake: 18h 30m of 3d baked (4d 7h paused, not counted)",
      "paused: paused: e-mail provider quota reached, waiting for the increase (INC-2291)",
    ]);
    expect(w.apply({ kind: "resume" }).ok).toBe(true);
    // Paused from Thursday 09:00 to Monday 16:00: 4d 7h that did not bake.
    expect(w.file.state).toEqual({
      percent: 10,
      phase: "baking",
      started_at: "2026-11-18T14:30:00Z",
      paused_seconds: 4 * DAY + 7 * HOUR,
    });
    expect(closedChecks(w.gate(healthy))).toEqual(["bake: 18h 30m of 3d baked (4d 7h paused, not counted)"]);
    w.tick("2d5h30m");
    // Baked on Wednesday evening — into the Thanksgiving freeze.
    expect(closedChecks(w.gate(healthy))).toEqual([
      "freeze: freeze window 'Thanksgiving and Black Friday' is active",
    ]);
  });

  it("keeps the rolled-back rollout in cooldown until Tuesday, then lets it advance", () => {
    const w = walk("vin-decoder", MONDAY);
    const healthy = { decode_error_rate: 0.012, legacy_decode_error_rate: 0.01 };
    expect(w.health(healthy).reasons[0]?.text).toBe(
      "decode_error_rate vs legacy_decode_error_rate (difference) +0.2 pts (< +0.5 pts over the stage (2d 5h))",
    );
    expect(closedChecks(w.gate(healthy))).toEqual(["cooldown: cooling down until 2026-11-24T10:12:00Z"]);
    w.tick("18h12m");
    expect(w.advance(healthy).ok).toBe(true);
    expect(w.file.state).toEqual({ percent: 20, phase: "baking", started_at: "2026-11-24T10:12:00Z" });
    // Its own rollback has no cooldown: the settings' default of 3 days applies.
    expect(w.rollback({ reason: "test" }).ok).toBe(true);
    expect(w.file.state?.cooldown_until).toBe("2026-11-27T10:12:00Z");
  });
});

describe("dealerscope browser-scraper: flags and sizes per phase, 10% 2d → 50% 3d → 100%", () => {
  const env = "config/scraper.env";
  const settings = "workers/scraper/settings.py";
  const parsed = parseSettingsFile(
    ".github/rollout-bot.yml",
    readExampleFile("dealerscope", ".github/rollout-bot.yml"),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  const MONDAY = "2026-11-30T16:00:00Z"; // 10:00 in Chicago, after the Thanksgiving freeze
  const healthy: Readings = { scrape_error_rate: 0.006, page_p95: 4.2, worker_memory_ratio: 0.55 };
  const walk = () =>
    new Walk(loadExample("dealerscope", "browser-scraper"), {
      start: MONDAY,
      settings: parsed.value,
      syncFiles: {
        [env]: readExampleFile("dealerscope", env),
        [settings]: readExampleFile("dealerscope", settings),
      },
    });
  /** What the workers would load: the FF_ lines and the two settings. */
  const config = (w: Walk) => {
    const lines = (w.syncFiles.get(env) ?? "").split("\n").filter((l) => l.startsWith("FF_"));
    const py = w.syncFiles.get(settings) ?? "";
    return [
      ...lines.map((l) => l.replace(/ #.*/, "")),
      /^MAX_BROWSER_CONTEXTS = .*$/m.exec(py)?.[0],
      /^CACHE_PROVIDER = .*$/m.exec(py)?.[0],
    ];
  };

  it("starts with the scraper off and sizes for the HTML parser", () => {
    expect(config(walk())).toEqual([
      "FF_BROWSER_SCRAPER=false",
      "FF_BROWSER_SCRAPER_PERCENT=0",
      "FF_PRICE_HISTORY_BACKFILL=false",
      "MAX_BROWSER_CONTEXTS = 3",
      'CACHE_PROVIDER = "memory"',
    ]);
  });

  it("flips each flag and size at its phase, comments kept", () => {
    const w = walk();
    expect(w.advance(healthy).ok).toBe(true);
    expect(config(w)).toEqual([
      "FF_BROWSER_SCRAPER=true",
      "FF_BROWSER_SCRAPER_PERCENT=10",
      "FF_PRICE_HISTORY_BACKFILL=false",
      "MAX_BROWSER_CONTEXTS = 3",
      'CACHE_PROVIDER = "memory"',
    ]);
    w.tick("2d");
    expect(w.advance(healthy, { approvals: 1 }).ok).toBe(true);
    expect(config(w)).toEqual([
      "FF_BROWSER_SCRAPER=true",
      "FF_BROWSER_SCRAPER_PERCENT=50",
      "FF_PRICE_HISTORY_BACKFILL=true",
      "MAX_BROWSER_CONTEXTS = 3",
      'CACHE_PROVIDER = "memory"',
    ]);
    w.tick("3d");
    // Baked on Saturday, but the weekend freeze holds it until Monday.
    expect(closedChecks(w.gate(healthy, { approvals: 2 }))).toEqual([
      "freeze: freeze window 'weekend' is active",
    ]);
    w.tick("2d");
    expect(w.advance(healthy, { approvals: 2 }).ok).toBe(true);
    expect(config(w)).toEqual([
      "FF_BROWSER_SCRAPER=true",
      "FF_BROWSER_SCRAPER_PERCENT=100",
      "FF_PRICE_HISTORY_BACKFILL=true",
      "MAX_BROWSER_CONTEXTS = 10",
      'CACHE_PROVIDER = "redis"',
    ]);
    expect(w.syncFiles.get(env)).toContain(
      "FF_BROWSER_SCRAPER_PERCENT=100 # share of dealers, by dealer id\n",
    );
    expect(w.syncFiles.get(env)).toContain('SCRAPER_USER_AGENT="DealerScopeBot/2.3');
    expect(w.syncFiles.get(settings)).toContain("# Headless Chromium contexts per worker");
  });

  it("a step-down stops the backfill and shrinks the sizes; the memory trigger goes to 0%, scraper off", () => {
    const w = walk();
    w.advance(healthy);
    w.tick("2d");
    w.advance(healthy, { approvals: 1 });
    w.tick("5d");
    expect(w.advance(healthy, { approvals: 2 }).ok).toBe(true);
    w.tick("1h");
    const { result } = w.rollbackOnRed({ ...healthy, scrape_error_rate: 0.09 });
    expect(result.ok && result.summary).toBe("100% → 50%");
    expect(config(w)).toEqual([
      "FF_BROWSER_SCRAPER=true",
      "FF_BROWSER_SCRAPER_PERCENT=50",
      "FF_PRICE_HISTORY_BACKFILL=false",
      "MAX_BROWSER_CONTEXTS = 3",
      'CACHE_PROVIDER = "memory"',
    ]);
    w.tick("10m");
    const oom = w.rollback({ to: 0, reason: "worker_memory_ratio 97% > 95% for 5m" });
    expect(oom.ok && oom.summary).toBe("50% → 0%");
    expect(config(w)).toEqual([
      "FF_BROWSER_SCRAPER=false",
      "FF_BROWSER_SCRAPER_PERCENT=0",
      "FF_PRICE_HISTORY_BACKFILL=false",
      "MAX_BROWSER_CONTEXTS = 3",
      'CACHE_PROVIDER = "memory"',
    ]);
  });
});
