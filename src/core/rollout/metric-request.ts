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

/** Window of a condition in seconds; undefined = instant. `stage` means since the stage started (≥ 60 s). */
export function windowSeconds(condition: Condition, stageElapsedSeconds: number): number | undefined {
  const window = condition.for;
  if (window === undefined || window === 0) return undefined;
  if (window === "stage") return Math.max(60, Math.floor(stageElapsedSeconds));
  return window;
}

export function requestFor(
  file: RolloutFile,
  condition: Condition,
  stageElapsedSeconds: number,
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
  const seconds = windowSeconds(condition, stageElapsedSeconds);
  if (seconds !== undefined) request.window = { seconds, hold: holdFor(condition) };
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
