import type { RolloutFile, State } from "../config/schema.ts";
import type { Settings } from "../config/settings-schema.ts";
import { FORCEABLE, type Gate } from "./gate.ts";
import { cooldownSeconds } from "./stage-rules.ts";
import { currentState, inCooldown, type StageView, viewState } from "./stage-view.ts";

/** The state machine: each transition either yields the next state or a refusal that says why. */

export type Transition =
  | { kind: "advance"; to?: number | undefined; gate: Gate; force?: boolean }
  | {
      kind: "rollback";
      to?: number | "previous" | undefined;
      reason?: string | undefined;
      /** Decided by the bot's automation (alerts, triggers), not asked for by a person. */
      automatic?: boolean;
      /**
       * The percent the decision was made at: refused once the rollout has moved (another replica or
       * alert rolled it back first), so one verdict never steps down twice.
       */
      from?: number;
    }
  | { kind: "pause"; reason?: string | undefined }
  | { kind: "resume" }
  | { kind: "complete"; gate: Gate };

export type TransitionResult =
  | { ok: true; from: State; to: State; summary: string }
  | { ok: false; refusal: { message: string; reasons: string[] } };

/** Second precision: state lines stay short and stable (`2026-11-22T10:00:00Z`). */
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function refuse(message: string, reasons: string[] = []): TransitionResult {
  return { ok: false, refusal: { message, reasons } };
}

/** Drops undefined fields so states compare and serialise cleanly. */
function clean(state: State): State {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as State;
}

function rollbackTarget(
  file: RolloutFile,
  view: StageView,
  requested: number | "previous" | undefined,
): number | string {
  const percents = file.stages.map((s) => s.percent);
  const previous = view.stage <= 1 ? 0 : (percents[view.stage - 2] ?? 0);
  const wanted = requested ?? file.rollback?.target ?? "previous";
  if (wanted === "previous") return previous;
  if (requested === undefined && wanted >= view.percent) return previous;
  if (wanted !== 0 && !percents.includes(wanted)) {
    return `${wanted}% is not 0 or a stage of this rollout (${percents.join(", ")})`;
  }
  if (wanted >= view.percent)
    return `a rollback must lower the percentage: ${wanted}% is not below ${view.percent}%`;
  return wanted;
}

function advance(
  file: RolloutFile,
  view: StageView,
  state: State,
  t: Extract<Transition, { kind: "advance" }>,
  now: Date,
): TransitionResult {
  if (view.phase === "complete") return refuse(`already complete at ${view.percent}%`);
  const percents = file.stages.map((s) => s.percent);
  const to = t.to ?? view.next?.stage.percent;
  if (to === undefined)
    return refuse(`already at the final stage (${view.percent}%); it completes when its bake ends`);
  if (!percents.includes(to)) return refuse(`${to}% is not a stage of this rollout (${percents.join(", ")})`);
  if (to <= view.percent)
    return refuse(`advance must raise the percentage: ${to}% is not above ${view.percent}%`);
  // Jumping over a stage skips its bake: only a forced advance (a permission of its own) may.
  const skipped = file.stages.filter((s) => s.percent > view.percent && s.percent < to && (s.bake ?? 0) > 0);
  if (skipped.length > 0 && !t.force) {
    return refuse(
      `advance to ${to}% skips ${skipped.map((s) => `the ${s.percent}% stage's bake`).join(" and ")}`,
      ["advance one stage at a time, or force it (--force, by someone permissions.force names)"],
    );
  }
  const failing = t.gate.checks.filter(
    (c) => !c.pass && c.name !== "stage" && !(t.force && FORCEABLE.has(c.name)),
  );
  if (failing.length > 0) {
    return refuse(
      "the gate is closed",
      failing.map((c) => `${c.name}: ${c.detail}`),
    );
  }
  const next = clean({
    ...state,
    percent: to,
    phase: "baking",
    started_at: iso(now),
    reason: undefined,
    cooldown_until: inCooldown(view, now) ? state.cooldown_until : undefined,
    paused_at: undefined,
    paused_seconds: undefined,
    // Below the stage a rollback came from, the stages on the way back up baked before.
    rolled_back_from:
      state.rolled_back_from !== undefined && to < state.rolled_back_from
        ? state.rolled_back_from
        : undefined,
  });
  return { ok: true, from: state, to: next, summary: `${view.percent}% → ${to}%` };
}

export function applyTransition(
  file: RolloutFile,
  settings: Settings,
  t: Transition,
  now: Date,
): TransitionResult {
  const state = currentState(file);
  const view = viewState(file);
  switch (t.kind) {
    case "advance":
      return advance(file, view, state, t, now);
    case "rollback": {
      if (view.percent === 0) return refuse("already at 0%: nothing to roll back");
      // Protection stays armed in every phase; what keeps it from cascading is that a rolled-back stage
      // is judged on its own data (windows clipped to it, a warm-up) and this compare-and-swap.
      if (t.from !== undefined && t.from !== view.percent)
        return refuse(`already at ${view.percent}%: this rollback was decided at ${t.from}%`);
      const target = rollbackTarget(file, view, t.to);
      if (typeof target === "string") return refuse(target);
      const cooldown = cooldownSeconds(file, view, settings);
      const next = clean({
        percent: target,
        phase: "rolled_back",
        started_at: iso(now),
        cooldown_until: cooldown > 0 ? iso(new Date(now.getTime() + cooldown * 1000)) : undefined,
        reason: t.reason,
        rolled_back_from: view.percent,
      });
      return { ok: true, from: state, to: next, summary: `${view.percent}% → ${target}%` };
    }
    case "pause":
      if (view.phase === "paused") return refuse("already paused", view.reason ? [view.reason] : []);
      if (view.phase === "complete") return refuse("complete: nothing to pause");
      return {
        ok: true,
        from: state,
        // The bake clock stops while paused.
        to: clean({ ...state, phase: "paused", reason: t.reason, paused_at: iso(now) }),
        summary: `paused at ${view.percent}%`,
      };
    case "resume": {
      if (view.phase !== "paused") return refuse(`not paused (${view.phase})`);
      const phase = inCooldown(view, now) ? "rolled_back" : view.percent === 0 ? "pending" : "baking";
      const since = view.pausedAt
        ? Math.max(0, Math.floor((now.getTime() - view.pausedAt.getTime()) / 1000))
        : 0;
      const paused = (state.paused_seconds ?? 0) + since;
      return {
        ok: true,
        from: state,
        to: clean({
          ...state,
          phase,
          reason: undefined,
          paused_at: undefined,
          paused_seconds: paused > 0 && view.percent > 0 ? paused : undefined,
        }),
        summary: `resumed at ${view.percent}%`,
      };
    }
    case "complete": {
      if (view.phase === "complete") return refuse("already complete");
      if (view.next !== undefined || view.stage === 0)
        return refuse(`not at the final stage (${view.percent}%)`);
      const failing = t.gate.checks.filter(
        (c) => !c.pass && !["stage", "approvals", "freeze"].includes(c.name),
      );
      if (failing.length > 0)
        return refuse(
          "the final stage has not passed",
          failing.map((c) => `${c.name}: ${c.detail}`),
        );
      return {
        ok: true,
        from: state,
        to: clean({ ...state, phase: "complete", reason: undefined, paused_at: undefined }),
        summary: `complete at ${view.percent}%`,
      };
    }
  }
}
