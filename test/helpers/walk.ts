import { expect } from "vitest";
import { parseRolloutFile, type Rollout } from "../../src/core/config/rollout-file.ts";
import type { RolloutFile, State } from "../../src/core/config/schema.ts";
import { Settings } from "../../src/core/config/settings-schema.ts";
import { applySyncTarget, type SyncEvent } from "../../src/core/config/sync-target.ts";
import { renderStateEdit } from "../../src/core/config/yaml-edit.ts";
import { parseDuration } from "../../src/core/duration.ts";
import { decideAutomation } from "../../src/core/rollout/automation.ts";
import { evaluateGate, type Gate } from "../../src/core/rollout/gate.ts";
import { type Alert, type HealthReport, judgeHealth, metricRequests } from "../../src/core/rollout/health.ts";
import type { MetricRequest, MetricResult } from "../../src/core/rollout/metric-request.ts";
import { activeTriggers, warmupSeconds } from "../../src/core/rollout/stage-rules.ts";
import { type StageView, viewState } from "../../src/core/rollout/stage-view.ts";
import {
  applyTransition,
  type Transition,
  type TransitionResult,
} from "../../src/core/rollout/transition.ts";

/**
 * Drives a rollout through its plan with the pure core on a fake clock: metric requests → synthetic
 * results → health → gate → transition, the way the scheduler does. Each accepted transition is
 * written back into the file's text (comment-preserving edit) and into the sync files, and the text
 * is parsed again, so the walk also proves the example survives the bot's own edits.
 */

/** Raw readings by query name: a constant series, so every window sees the same value. Missing = no data. */
export type Readings = Readonly<Record<string, number>>;

/** Answers each request like a metrics source would: baseline comparisons are computed from the readings. */
export function resultsFor(
  requests: readonly MetricRequest[],
  readings: Readings,
): Map<string, MetricResult> {
  const results = new Map<string, MetricResult>();
  for (const request of requests) {
    const value = readings[request.metric];
    const base = request.baseline ? readings[request.baseline.metric] : undefined;
    if (value === undefined || (request.baseline && base === undefined)) {
      results.set(request.key, { ok: false, reason: "no data" });
    } else if (!request.baseline || base === undefined) {
      results.set(request.key, { ok: true, value });
    } else {
      const compared = { ratio: value / base, increase: value / base - 1, difference: value - base };
      results.set(request.key, { ok: true, value: compared[request.baseline.compare] });
    }
  }
  return results;
}

function seconds(duration: string | number): number {
  const parsed = typeof duration === "number" ? duration : parseDuration(duration);
  if (parsed === undefined) throw new Error(`not a duration: ${duration}`);
  return parsed;
}

export interface Step {
  at: string;
  action: Transition["kind"];
  percent: number;
  phase: string;
}

export interface AdvanceOptions {
  approvals?: number;
  to?: number;
  force?: boolean;
}

export interface WalkOptions {
  /** ISO time the fake clock starts at. */
  start: string;
  settings?: Settings;
  /** Text of each file the rollout keeps in sync, by path. */
  syncFiles?: Record<string, string>;
}

export class Walk {
  rollout: Rollout;
  now: Date;
  readonly settings: Settings;
  readonly steps: Step[] = [];
  readonly startPercent: number;
  readonly syncFiles: Map<string, string>;

  constructor(rollout: Rollout, options: WalkOptions) {
    this.rollout = rollout;
    this.now = new Date(options.start);
    this.settings = options.settings ?? Settings.parse({});
    this.startPercent = viewState(rollout.file).percent;
    this.syncFiles = new Map(Object.entries(options.syncFiles ?? {}));
  }

  get file(): RolloutFile {
    return this.rollout.file;
  }

  get text(): string {
    return this.rollout.text;
  }

  get view(): StageView {
    return viewState(this.file);
  }

  get percent(): number {
    return this.view.percent;
  }

  get phase(): string {
    return this.view.phase;
  }

  /** Percentages the rollout has been at, in order, starting with where the walk began. */
  get percents(): number[] {
    const all = [this.startPercent, ...this.steps.map((s) => s.percent)];
    return all.filter((percent, i) => i === 0 || percent !== all[i - 1]);
  }

  tick(duration: string | number): this {
    this.now = new Date(this.now.getTime() + seconds(duration) * 1000);
    return this;
  }

  requests(): MetricRequest[] {
    return metricRequests(this.file, this.view, this.now);
  }

  health(readings: Readings, alerts: readonly Alert[] = []): HealthReport {
    const results = resultsFor(this.requests(), readings);
    return judgeHealth({ file: this.file, view: this.view, now: this.now, results, alerts });
  }

  gate(readings: Readings, options: AdvanceOptions = {}): Gate {
    const input: Parameters<typeof evaluateGate>[0] = {
      view: this.view,
      settings: this.settings,
      health: this.health(readings),
      now: this.now,
      stages: this.file.stages,
    };
    if (options.approvals !== undefined) input.approvals = approvalsOf(options.approvals);
    if (options.to !== undefined) input.to = options.to;
    return evaluateGate(input);
  }

  /** Approvals the bump PR to the next stage needs. */
  requiredApprovals(): number {
    return this.view.next?.stage.approvals ?? this.settings.defaults.approvals;
  }

  apply(transition: Transition): TransitionResult {
    const result = applyTransition(this.file, this.settings, transition, this.now);
    if (result.ok) {
      const percentChanged = result.from.percent !== result.to.percent;
      this.#write(
        result.to,
        percentChanged ? (transition.kind === "rollback" ? "rollback" : "advance") : undefined,
      );
      const at = this.now.toISOString();
      this.steps.push({ at, action: transition.kind, percent: result.to.percent, phase: this.phase });
    }
    return result;
  }

  /**
   * Writes the new state into the text, re-parses it, and — when the percentage changed, as the plan
   * does — moves the sync files to the new percent (typed values: the stage's, or the rollback's).
   */
  #write(state: State, event: SyncEvent | undefined): void {
    const text = renderStateEdit(this.rollout.text, state);
    const parsed = parseRolloutFile(this.rollout.path, text);
    expect(parsed.ok ? [] : parsed.diagnostics).toEqual([]);
    if (!parsed.ok) return;
    expect(parsed.value.file.state).toEqual(state);
    this.rollout = parsed.value;
    for (const target of event ? this.file.sync : []) {
      const before = this.syncFiles.get(target.file);
      if (before === undefined) throw new Error(`sync file ${target.file} not given to the walk`);
      const synced = applySyncTarget(before, target, state.percent, event);
      expect(synced.ok ? "ok" : synced.message).toBe("ok");
      if (synced.ok) this.syncFiles.set(target.file, synced.text);
    }
  }

  advance(readings: Readings, options: AdvanceOptions = {}): TransitionResult {
    const gate = this.gate(readings, options);
    const t: Transition = { kind: "advance", to: options.to, gate };
    if (options.force) t.force = true;
    return this.apply(t);
  }

  complete(readings: Readings): TransitionResult {
    return this.apply({ kind: "complete", gate: this.gate(readings) });
  }

  rollback(
    options: { to?: number | "previous"; reason?: string; automatic?: boolean } = {},
  ): TransitionResult {
    const t: Transition = { kind: "rollback", to: options.to, reason: options.reason };
    if (options.automatic) t.automatic = true;
    return this.apply(t);
  }

  /** What the bot's automation decides on these readings (core/rollout/automation.ts). */
  decide(readings: Readings) {
    return decideAutomation({
      file: this.file,
      view: this.view,
      health: this.health(readings),
      gate: this.gate(readings),
    });
  }

  /** What auto-rollback does on red: decided by the core (the firing trigger's own target, else the plan's). */
  rollbackOnRed(readings: Readings): { health: HealthReport; result: TransitionResult } {
    const health = this.health(readings);
    expect(health.status).toBe("red");
    const decided = this.decide(readings);
    if (decided.action !== "rollback") throw new Error(`red, but automation decided ${decided.action}`);
    const { to, from, reason } = decided;
    return { health, result: this.apply({ kind: "rollback", to, from, reason, automatic: true }) };
  }

  /** Seconds after the stage start until its health can be green: the warm-up, and every window full. */
  settleSeconds(): number {
    const conditions = [
      ...(this.view.current?.criteria ?? []),
      ...activeTriggers(this.file, this.view).map((t) => t.trigger),
    ];
    const windows = conditions.map((c) => (typeof c.for === "number" ? c.for : 0));
    return Math.max(warmupSeconds(this.file, this.view), ...windows);
  }

  /**
   * Holds the current stage for its bake time on healthy readings, checking the gate stays closed
   * (on bake alone) until the last minute and opens after it; then advances, or completes the final stage.
   */
  bakeAndMoveOn(readings: (view: StageView) => Readings): TransitionResult {
    const bake = this.view.current?.bake ?? 0;
    const settle = this.settleSeconds();
    const approvals = this.view.next ? this.requiredApprovals() : undefined;
    const options: AdvanceOptions = approvals === undefined ? {} : { approvals };
    if (bake > 60 && bake - 60 >= settle) {
      this.tick(bake - 60);
      const early = this.gate(readings(this.view), options);
      expect(early.open).toBe(false);
      expect(early.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(
        this.view.next ? ["bake"] : ["stage", "bake"],
      );
      this.tick(60);
    } else {
      // A stage shorter than its warm-up or windows waits for them: until then its health is not green.
      this.tick(Math.max(bake, settle));
    }
    const result = this.view.next
      ? this.advance(readings(this.view), options)
      : this.complete(readings(this.view));
    expect(result.ok ? "ok" : result.refusal).toBe("ok");
    return result;
  }

  /** From wherever it is to complete, every stage on `readings`; returns the percentages visited. */
  walkToCompletion(readings: (view: StageView) => Readings): number[] {
    if (this.view.stage === 0) {
      const first = this.advance(readings(this.view));
      expect(first.ok ? "ok" : first.refusal).toBe("ok");
    }
    for (let guard = 0; this.phase !== "complete"; guard++) {
      if (guard > this.view.stageCount) throw new Error("the walk does not end");
      this.bakeAndMoveOn(readings);
    }
    return this.percents;
  }
}

/** The texts of the failing reasons of a health report. */
export function failing(health: HealthReport): string[] {
  return health.reasons.filter((r) => !r.pass).map((r) => r.text);
}

/** `name: detail` of each failing gate check, as a refusal lists them. */
export function closedChecks(gate: Gate): string[] {
  return gate.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`);
}

/** `n` approvals by distinct writers, as the gate counts them. */
export function approvalsOf(count: number, teams: string[] = []) {
  return { logins: Array.from({ length: count }, (_, i) => `reviewer-${i}`), teams };
}
