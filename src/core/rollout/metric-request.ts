import type { Criterion, MetricUnit, Query, RolloutFile, Trigger } from "../config/schema.ts";

/** What the core asks a metrics source for, and what it gets back. Sources stay dumb; the core judges. */

export type Compare = "ratio" | "increase" | "difference";

export interface MetricRequest {
  /** Canonical key: equal requests share it, so one evaluation queries each thing once. */
  key: string;
  metric: string;
  query: string;
  baseline?: { metric: string; query: string; compare: Compare };
  /** Judge the worst case over the window: `max` for below/at_most, `min` for above/at_least. */
  window?: { seconds: number; hold: "max" | "min" };
}

export type MetricResult = { ok: true; value: number } | { ok: false; reason: string };

export type Condition = Criterion | Trigger;

export function queryText(query: Query): string {
  return typeof query === "string" ? query : query.query;
}

export function queryUnit(file: RolloutFile, metric: string): MetricUnit {
  const query = file.metrics?.queries[metric];
  return query === undefined || typeof query === "string" ? "number" : query.unit;
}

/** `below`/`at_most` hold over a window when the maximum does; `above`/`at_least` when the minimum does. */
export function holdFor(condition: Condition): "max" | "min" {
  return condition.below !== undefined || condition.at_most !== undefined ? "max" : "min";
}

export interface ConditionWindow {
  /** What is asked for: the window, clipped to the stage. */
  seconds: number;
  /** The whole `for:` lies inside the stage; a window that is not full cannot show that a condition held. */
  full: boolean;
}

/**
 * The window of a condition, never reaching back before the stage started (data from another
 * percentage says nothing about this one); undefined = now. `stage` is the stage so far. With the
 * start unknown nothing can be clipped: the window as written (the last minute for `stage`).
 */
export function windowFor(
  condition: Condition,
  stageAgeSeconds: number | undefined,
): ConditionWindow | undefined {
  const wanted = condition.for;
  if (wanted === undefined || wanted === 0) return undefined;
  if (stageAgeSeconds === undefined) return { seconds: wanted === "stage" ? 60 : wanted, full: true };
  const age = Math.max(1, Math.floor(stageAgeSeconds));
  if (wanted === "stage") return { seconds: age, full: true };
  return age >= wanted ? { seconds: wanted, full: true } : { seconds: age, full: false };
}

export function requestFor(
  file: RolloutFile,
  condition: Condition,
  stageAgeSeconds: number | undefined,
): MetricRequest {
  const queries = file.metrics?.queries ?? {};
  const main = queries[condition.metric];
  const request: Omit<MetricRequest, "key"> = {
    metric: condition.metric,
    query: main === undefined ? "" : queryText(main),
  };
  if (condition.vs !== undefined) {
    const base = queries[condition.vs];
    request.baseline = {
      metric: condition.vs,
      query: base === undefined ? "" : queryText(base),
      compare: condition.compare ?? "increase",
    };
  }
  const window = windowFor(condition, stageAgeSeconds);
  if (window !== undefined) request.window = { seconds: window.seconds, hold: holdFor(condition) };
  return { key: JSON.stringify(request), ...request };
}

/** A series over time for charts: the same query (and baseline arithmetic) as `MetricRequest`, no window. */
export type RangeRequest = Omit<MetricRequest, "key" | "window">;

export interface TimeRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/** Points as `[unix seconds, value]`, oldest first. */
export type RangeResult = { ok: true; points: [number, number][] } | { ok: false; reason: string };

/** At most this many points per series: a chart is a few hundred pixels wide. */
export const MAX_RANGE_POINTS = 400;

/** The step for a range: ~240 points, 5 s at the finest, so any window stays within `MAX_RANGE_POINTS`. */
export function rangeStep(seconds: number): number {
  return Math.max(5, Math.ceil(seconds / 240));
}
