import type { RolloutFile, TriggerAction } from "../config/schema.ts";
import { formatDuration } from "../duration.ts";
import { formatValue } from "../messages/format-value.ts";
import {
  type Condition,
  type ConditionWindow,
  type MetricRequest,
  type MetricResult,
  queryUnit,
  requestFor,
  windowFor,
} from "./metric-request.ts";
import { activeTriggers, isEmergency, warmupSeconds } from "./stage-rules.ts";
import { type StageView, stageAgeSeconds } from "./stage-view.ts";

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
  /** What a trigger does when it holds. */
  action?: TriggerAction;
  /** Where it comes from: `stages[0].criteria[1]`, `rollback.triggers[0]`, `alert:<name>`. */
  key?: string;
  /** Not judged yet because the stage is young: its warm-up, or a window not yet full. */
  pending?: "warmup" | "window";
  /** An alert's severity. */
  severity?: "critical" | "warning";
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

interface Judged {
  kind: "criterion" | "trigger";
  condition: Condition;
  key: string;
}

/**
 * What counts now at the current stage. During the warm-up after a change of percentage only the
 * emergency triggers do (data from just before the change would otherwise judge the new stage).
 */
function conditionsNow(
  file: RolloutFile,
  view: StageView,
  now: Date,
): { judged: Judged[]; age: number | undefined; warmup?: number } {
  const age = stageAgeSeconds(view, now);
  const warmup = warmupSeconds(file, view);
  const warming = age !== undefined && age < warmup;
  const judged: Judged[] = [];
  if (!warming) {
    (view.current?.criteria ?? []).forEach((condition, i) => {
      judged.push({ kind: "criterion", condition, key: `stages[${view.stage - 1}].criteria[${i}]` });
    });
  }
  for (const { trigger, key } of activeTriggers(file, view)) {
    if (!warming || isEmergency(trigger)) judged.push({ kind: "trigger", condition: trigger, key });
  }
  return warming ? { judged, age, warmup } : { judged, age };
}

/** Every request an evaluation of the current stage needs; each distinct request appears once. */
export function metricRequests(file: RolloutFile, view: StageView, now: Date): MetricRequest[] {
  if (view.stage === 0) return [];
  const { judged, age } = conditionsNow(file, view, now);
  const unique = new Map<string, MetricRequest>();
  for (const { condition } of judged) {
    const request = requestFor(file, condition, age);
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
  return c.for ? `for ${formatDuration(c.for)}` : "now";
}

const SUFFIX: Record<TriggerAction, string> = {
  rollback: "rollback trigger",
  pause: "pause trigger",
  notify: "warning",
};

function judge(
  file: RolloutFile,
  { kind, condition: c, key }: Judged,
  request: MetricRequest,
  clipped: ConditionWindow | undefined,
  result: MetricResult | undefined,
): Reason {
  const { operator, threshold } = comparison(c);
  const unit = queryUnit(file, c.metric);
  const compare = c.vs === undefined ? undefined : (c.compare ?? "increase");
  const subject = c.vs === undefined ? c.metric : `${c.metric} vs ${c.vs} (${compare})`;
  const thresholdText = formatValue(threshold, unit, compare);
  const window = windowText(c, request);
  const action: TriggerAction | undefined =
    kind === "trigger" ? ("action" in c ? c.action : "rollback") : undefined;
  const base: Omit<Reason, "status" | "pass" | "text"> = {
    kind,
    key,
    metric: c.metric,
    threshold,
    thresholdText,
    operator,
    window,
  };
  if (action) base.action = action;
  // Triggers read as rules ("rollback if …") so a passing one is not mistaken for a met threshold.
  const rule = `${operator} ${thresholdText} ${window}`;
  const ruleText = action ? `${action} if ${rule}` : rule;
  if (!result?.ok || Number.isNaN(result.value)) {
    const why = result && !result.ok ? result.reason : "no data";
    const prefix = action ? `${action} if ` : "";
    return { ...base, status: "yellow", pass: false, text: `${prefix}${subject} ${rule}: ${why}` };
  }
  const valueText = formatValue(result.value, unit, compare);
  const measured = { ...base, value: result.value, valueText };
  const met = holds(result.value, operator, threshold);
  // A criterion passes when it holds; a trigger passes when it does not.
  const pass = kind === "criterion" ? met : !met;
  if (clipped && !clipped.full && (kind === "trigger" || met)) {
    // Part of the window is all there is: a criterion cannot have held for it, nor a trigger.
    const part = `${formatDuration(clipped.seconds)} of ${formatDuration(Number(c.for))}`;
    return {
      ...measured,
      status: "yellow",
      pass: false,
      pending: "window",
      text: `${subject} ${valueText} so far (${ruleText}): window not yet full (${part})`,
    };
  }
  if (kind === "criterion") {
    return {
      ...measured,
      status: pass ? "green" : "yellow",
      pass,
      text: `${subject} ${valueText} (${rule})`,
    };
  }
  const fired = action ?? "rollback";
  const reason: Reason = {
    ...measured,
    status: pass ? "green" : fired === "rollback" ? "red" : "yellow",
    pass,
    text: pass
      ? `${subject} ${valueText} (${ruleText})`
      : `${subject} ${valueText} ${rule} — ${SUFFIX[fired]}`,
  };
  if (!pass && fired === "rollback" && "to" in c && c.to !== undefined) reason.rollbackTo = c.to;
  return reason;
}

export interface HealthInput {
  file: RolloutFile;
  view: StageView;
  now: Date;
  results: ReadonlyMap<string, MetricResult>;
  alerts?: readonly Alert[];
}

const fmtTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function judgeHealth({ file, view, now, results, alerts = [] }: HealthInput): HealthReport {
  const reasons: Reason[] = [];
  if (view.stage === 0) {
    reasons.push({ kind: "info", status: "green", pass: true, text: "0%: no traffic on the new version" });
  } else {
    const { judged, age, warmup } = conditionsNow(file, view, now);
    if (warmup !== undefined && view.startedAt) {
      const from = fmtTime(new Date(view.startedAt.getTime() + warmup * 1000));
      reasons.push({
        kind: "info",
        status: "yellow",
        pass: false,
        pending: "warmup",
        text: `warming up: criteria and triggers count from ${from} (${formatDuration(warmup)} after the stage started)`,
      });
    }
    for (const j of judged) {
      const request = requestFor(file, j.condition, age);
      reasons.push(judge(file, j, request, windowFor(j.condition, age), results.get(request.key)));
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
      key: `alert:${alert.name}`,
      severity: alert.severity,
      status,
      pass: false,
      text: `${alert.severity} alert ${alert.name} firing${summary}`,
    });
  }
  return { status: worst(reasons.map((r) => r.status)), reasons };
}
