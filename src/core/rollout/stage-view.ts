import type { Phase, RolloutFile, Stage, State } from "../config/schema.ts";

/** The rollout's position read from its state: stage numbers are 1-based, 0 means 0% (not started). */
export interface StageView {
  percent: number;
  /** 0 at 0%, else 1..stageCount. */
  stage: number;
  stageCount: number;
  phase: Phase;
  startedAt?: Date;
  /** While paused: when the pause began. */
  pausedAt?: Date;
  /** Paused earlier in this stage (resumed since): not bake. */
  pausedSeconds?: number;
  /** The stage a rollback came down from, until the rollout is back there. */
  rolledBackFrom?: number;
  cooldownUntil?: Date;
  reason?: string;
  current?: Stage;
  /** The stage after this one, with its 1-based number. */
  next?: { number: number; stage: Stage };
}

export function currentState(file: RolloutFile): State {
  return file.state ?? { percent: 0 };
}

export function viewState(file: RolloutFile): StageView {
  const state = currentState(file);
  const index = file.stages.findIndex((s) => s.percent === state.percent);
  const stage = index + 1;
  const view: StageView = {
    percent: state.percent,
    stage,
    stageCount: file.stages.length,
    phase: state.phase ?? (state.percent === 0 ? "pending" : "baking"),
  };
  if (state.started_at !== undefined) view.startedAt = new Date(state.started_at);
  if (state.cooldown_until !== undefined) view.cooldownUntil = new Date(state.cooldown_until);
  if (state.paused_at !== undefined) view.pausedAt = new Date(state.paused_at);
  if (state.paused_seconds !== undefined) view.pausedSeconds = state.paused_seconds;
  if (state.rolled_back_from !== undefined) view.rolledBackFrom = state.rolled_back_from;
  if (state.reason !== undefined) view.reason = state.reason;
  const current = file.stages[index];
  if (current) view.current = current;
  const next = file.stages[index + 1];
  if (next) view.next = { number: stage + 1, stage: next };
  return view;
}

/** Seconds since the stage started (wall clock, pauses included); 0 when unknown. */
export function stageElapsedSeconds(view: StageView, now: Date): number {
  return stageAgeSeconds(view, now) ?? 0;
}

/** Seconds since the stage started; undefined when the start is unknown (nothing can be clipped to it). */
export function stageAgeSeconds(view: StageView, now: Date): number | undefined {
  return view.startedAt === undefined
    ? undefined
    : Math.max(0, (now.getTime() - view.startedAt.getTime()) / 1000);
}

/** Seconds paused in this stage so far: earlier pauses plus the one going on. */
export function pausedSeconds(view: StageView, now: Date): number {
  const current = view.pausedAt ? Math.max(0, (now.getTime() - view.pausedAt.getTime()) / 1000) : 0;
  return (view.pausedSeconds ?? 0) + current;
}

/** The bake clock: time in the stage minus time paused. */
export function bakedSeconds(view: StageView, now: Date): number {
  return Math.max(0, stageElapsedSeconds(view, now) - pausedSeconds(view, now));
}

export function inCooldown(view: StageView, now: Date): boolean {
  return view.cooldownUntil !== undefined && view.cooldownUntil.getTime() > now.getTime();
}
