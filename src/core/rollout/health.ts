import type { RolloutFile } from "../config/schema.ts";
import { formatDuration } from "../duration.ts";
import { formatValue } from "../messages/format-value.ts";
import {
  type Condition,
  type MetricRequest,
  type MetricResult,
  queryUnit,
  requestFor,
} from "./metric-request.ts";
import { type StageView, stageElapsedSeconds } from "./stage-view.ts";

/** Health judgement: green / yellow / red, with one reason per criterion, trigger and alert. */

export type HealthStatus = "green" | "yellow" | "red";

export interface Reason {
  kind: "criterion" | "trigger" | "alert" | "info";
  /** How this reason colours the whole: the worst one wins. */
  status: HealthStatus;
  pass: boolean;
  /** e.g. `error_rate < 1% over the stage (2d 4h)` */
  text: string;
  metric?: string;
  value?: number;
  valueText?: string;
  threshold?: number;
  thresholdText?: string;
  operator?: "<" | "≤" | ">" | "≥";
  window?: string;
  /** A firing trigger's own rollback target (e.g. 0 for an emergency). */
  rollbackTo?: number | "previous";
}

export interface HealthReport {
  status: HealthStatus;
  reasons: Reason[];
}

export interface Alert {
  name: string;
  severity: "critical" | "warning";
  summary?: string;
}

const RANK: Record<HealthStatus, number> = { green: 0, yellow: 1, red: 2 };

export function worst(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), "green");
}

/** Every request an evaluation of the current stage needs; each distinct request appears once. */
export function metricRequests(file: RolloutFile, view: StageView, now: Date): MetricRequest[] {
  if (view.stage === 0) return [];
  const elapsed = stageElapsedSeconds(view, now);
  const conditions: Condition[] = [...(view.current?.criteria ?? []), ...(file.rollback?.triggers ?? [])];
  const unique = new Map<string, MetricRequest>();
  for (const c of conditions) {
    const request = requestFor(file, c, elapsed);
    unique.set(request.key, request);
  }
  return [...unique.values()];
}

function comparison(c: Condition): { operator: NonNullable<Reason["operator"]>; threshold: number } {
  if (c.below !== undefined) return { operator: "<", threshold: c.below };
  if (c.at_most !== undefined) return { operator: "≤", threshold: c.at_most };
  if (c.above !== undefined) return { operator: ">", threshold: c.above };
  return { operator: "≥", threshold: c.at_least ?? Number.NaN };
}

function holds(value: number, operator: NonNullable<Reason["operator"]>, threshold: number): boolean {
  switch (operator) {
    case "<":
      return value < threshold;
    case "≤":
      return value <= threshold;
    case ">":
      return value > threshold;
    case "≥":
      return value >= threshold;
  }
}

function windowText(c: Condition, request: MetricRequest): string {
  if (c.for === "stage") return `over the stage (${formatDuration(request.window?.seconds ?? 0)})`;
  return request.window ? `for ${formatDuration(request.window.seconds)}` : "now";
}

function judge(
  file: RolloutFile,
  kind: "criterion" | "trigger",
  c: Condition,
  request: MetricRequest,
  result: MetricResult | undefined,
): Reason {
  const { operator, threshold } = comparison(c);
  const unit = queryUnit(file, c.metric);
  const compare = c.vs === undefined ? undefined : (c.compare ?? "increase");
  const subject = c.vs === undefined ? c.metric : `${c.metric} vs ${c.vs} (${compare})`;
  const thresholdText = formatValue(threshold, unit, compare);
  const window = windowText(c, request);
  const base = { kind, metric: c.metric, threshold, thresholdText, operator, window } as const;
  const rule = `${subject} ${operator} ${thresholdText} ${window}`;
  if (!result?.ok || Number.isNaN(result.value)) {
    const why = result && !result.ok ? result.reason : "no data";
    const prefix = kind === "trigger" ? "rollback if " : "";
    return { ...base, status: "yellow", pass: false, text: `${prefix}${rule}: ${why}` };
  }
  const valueText = formatValue(result.value, unit, compare);
  const met = holds(result.value, operator, threshold);
  // A criterion passes when it holds; a trigger passes when it does not.
  const pass = kind === "criterion" ? met : !met;
  const status: HealthStatus = pass ? "green" : kind === "criterion" ? "yellow" : "red";
  // Triggers read as rules ("rollback if …") so a passing one is not mistaken for a met threshold.
  const text =
    kind === "criterion"
      ? `${subject} ${valueText} (${operator} ${thresholdText} ${window})`
      : pass
        ? `${subject} ${valueText} (rollback if ${operator} ${thresholdText} ${window})`
        : `${subject} ${valueText} ${operator} ${thresholdText} ${window} — rollback trigger`;
  const reason: Reason = {
    ...base,
    status,
    pass,
    value: result.value,
    valueText,
    text,
  };
  if (kind === "trigger" && !pass && "to" in c && c.to !== undefined) reason.rollbackTo = c.to;
  return reason;
}

export interface HealthInput {
  file: RolloutFile;
  view: StageView;
  now: Date;
  results: ReadonlyMap<string, MetricResult>;
  alerts?: readonly Alert[];
}

export function judgeHealth({ file, view, now, results, alerts = [] }: HealthInput): HealthReport {
  const reasons: Reason[] = [];
  const elapsed = stageElapsedSeconds(view, now);
  if (view.stage === 0) {
    reasons.push({ kind: "info", status: "green", pass: true, text: "0%: no traffic on the new version" });
  } else {
    for (const c of view.current?.criteria ?? []) {
      const request = requestFor(file, c, elapsed);
      reasons.push(judge(file, "criterion", c, request, results.get(request.key)));
    }
    for (const t of file.rollback?.triggers ?? []) {
      const request = requestFor(file, t, elapsed);
      reasons.push(judge(file, "trigger", t, request, results.get(request.key)));
    }
    if (reasons.length === 0) {
      reasons.push({
        kind: "info",
        status: "green",
        pass: true,
        text: "no criteria for this stage: bake time only",
      });
    }
  }
  for (const alert of alerts) {
    const status: HealthStatus = alert.severity === "critical" ? "red" : "yellow";
    const summary = alert.summary ? `: ${alert.summary}` : "";
    reasons.push({
      kind: "alert",
      status,
      pass: false,
      text: `${alert.severity} alert ${alert.name} firing${summary}`,
    });
  }
  return { status: worst(reasons.map((r) => r.status)), reasons };
}
