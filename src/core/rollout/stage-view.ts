import type { Phase, RolloutFile, Stage, State } from "../config/schema.ts";

/** The rollout's position read from its state: stage numbers are 1-based, 0 means 0% (not started). */
export interface StageView {
  percent: number;
  /** 0 at 0%, else 1..stageCount. */
  stage: number;
  stageCount: number;
  phase: Phase;
  startedAt?: Date;
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
  if (state.reason !== undefined) view.reason = state.reason;
  const current = file.stages[index];
  if (current) view.current = current;
  const next = file.stages[index + 1];
  if (next) view.next = { number: stage + 1, stage: next };
  return view;
}

/** Seconds since the stage started; 0 when unknown. */
export function stageElapsedSeconds(view: StageView, now: Date): number {
  return view.startedAt === undefined ? 0 : Math.max(0, (now.getTime() - view.startedAt.getTime()) / 1000);
}

export function inCooldown(view: StageView, now: Date): boolean {
  return view.cooldownUntil !== undefined && view.cooldownUntil.getTime() > now.getTime();
}
