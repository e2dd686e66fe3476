import type { MetricUnit, RolloutFile } from "../config/schema.ts";
import { formatDuration } from "../duration.ts";
import { formatValue } from "../messages/format-value.ts";
import {
  type Compare,
  type Condition,
  queryText,
  queryUnit,
  type RangeRequest,
  rangeStep,
  type TimeRange,
} from "./metric-request.ts";
import { type StageView, stageElapsedSeconds } from "./stage-view.ts";

/**
 * Which series the status page charts for a rollout, decided here so every surface agrees with the
 * health judgement: each criterion of the current stage and each rollback trigger, over the current
 * stage, against its threshold. A relative condition charts the judged comparison against the
 * threshold, and the metric and its baseline raw on a second axis.
 */

export interface ChartSeriesPlan {
  label: string;
  /** `judged`: the value the threshold applies to; `metric`/`baseline`: the raw series of a relative condition. */
  role: "judged" | "metric" | "baseline";
  request: RangeRequest;
}

export interface ChartPlan {
  /** Stable within a page: `criterion-0`, `trigger-1`. */
  id: string;
  kind: "criterion" | "trigger";
  /** e.g. `error_rate < 1% over the stage`, `rollback if p99 > 2s for 10m`. */
  title: string;
  metric: string;
  unit: MetricUnit;
  compare?: Compare;
  operator: "<" | "≤" | ">" | "≥";
  threshold: number;
  thresholdText: string;
  series: ChartSeriesPlan[];
}

export interface ChartsPlan {
  range: TimeRange;
  charts: ChartPlan[];
}

/** With no known stage start, the last hour. */
const DEFAULT_SPAN_SECONDS = 3600;

function comparison(c: Condition): { operator: ChartPlan["operator"]; threshold: number } {
  if (c.below !== undefined) return { operator: "<", threshold: c.below };
  if (c.at_most !== undefined) return { operator: "≤", threshold: c.at_most };
  if (c.above !== undefined) return { operator: ">", threshold: c.above };
  return { operator: "≥", threshold: c.at_least ?? Number.NaN };
}

function windowText(c: Condition): string {
  if (c.for === "stage") return " over the stage";
  if (c.for === undefined || c.for === 0) return "";
  return ` for ${formatDuration(c.for)}`;
}

function planFor(file: RolloutFile, kind: ChartPlan["kind"], c: Condition, index: number): ChartPlan {
  const queries = file.metrics?.queries ?? {};
  const query = (name: string) => {
    const q = queries[name];
    return q === undefined ? "" : queryText(q);
  };
  const unit = queryUnit(file, c.metric);
  const { operator, threshold } = comparison(c);
  const compare = c.vs === undefined ? undefined : (c.compare ?? "increase");
  const thresholdText = formatValue(threshold, unit, compare);
  const subject = c.vs === undefined ? c.metric : `${c.metric} vs ${c.vs} (${compare})`;
  const rule = `${subject} ${operator} ${thresholdText}${windowText(c)}`;
  const series: ChartSeriesPlan[] = [];
  if (c.vs === undefined || compare === undefined) {
    series.push({ label: c.metric, role: "judged", request: { metric: c.metric, query: query(c.metric) } });
  } else {
    series.push(
      {
        label: `${c.metric} vs ${c.vs}`,
        role: "judged",
        request: {
          metric: c.metric,
          query: query(c.metric),
          baseline: { metric: c.vs, query: query(c.vs), compare },
        },
      },
      { label: c.metric, role: "metric", request: { metric: c.metric, query: query(c.metric) } },
      { label: c.vs, role: "baseline", request: { metric: c.vs, query: query(c.vs) } },
    );
  }
  const plan: ChartPlan = {
    id: `${kind}-${index}`,
    kind,
    title: kind === "trigger" ? `rollback if ${rule}` : rule,
    metric: c.metric,
    unit,
    operator,
    threshold,
    thresholdText,
    series,
  };
  if (compare !== undefined) plan.compare = compare;
  return plan;
}

/** The charts of the current stage, over the stage so far (at least a minute); none at 0%. */
export function chartPlan(file: RolloutFile, view: StageView, now: Date): ChartsPlan {
  const known = view.startedAt !== undefined;
  const elapsed = known ? Math.max(60, stageElapsedSeconds(view, now)) : DEFAULT_SPAN_SECONDS;
  const range: TimeRange = {
    start: new Date(now.getTime() - elapsed * 1000),
    end: now,
    stepSeconds: rangeStep(elapsed),
  };
  if (view.stage === 0) return { range, charts: [] };
  const criteria = (view.current?.criteria ?? []).map((c, i) => planFor(file, "criterion", c, i));
  const triggers = (file.rollback?.triggers ?? []).map((t, i) => planFor(file, "trigger", t, i));
  return { range, charts: [...criteria, ...triggers] };
}
