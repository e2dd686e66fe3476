import type { AlertAction, RolloutFile } from "../config/schema.ts";
import type { StageView } from "../rollout/stage-view.ts";
import type { Severity } from "./alert.ts";

/**
 * What a firing alert does to a rollout — the rollout's choice by severity (`alerts:` in its file),
 * decided here, carried out by the inbox. Critical alerts roll back by default and act in any phase
 * until 0%; an alert that began before a rollback is the episode that rollback answered, so it does
 * not step down again (unless it sends the rollout to 0%).
 */

export function alertPolicy(file: RolloutFile, severity: Severity): AlertAction {
  if (severity === "critical") return file.alerts?.critical ?? { action: "rollback" };
  if (severity === "warning") return file.alerts?.warning ?? { action: "notify" };
  return { action: "notify" };
}

export interface AlertFacts {
  name: string;
  severity: Severity;
  status: "firing" | "resolved";
  summary?: string | undefined;
  /** When this firing episode began (Alertmanager's and Grafana's `startsAt`). */
  startsAt?: string | undefined;
}

export type AlertDecision =
  | { kind: "rollback"; to?: number | "previous" | undefined; from: number; reason: string }
  | { kind: "pause"; reason: string }
  /** Wants a rollback, but auto-rollback is off: a red page that says how. */
  | { kind: "page"; reason: string; headline: string }
  | { kind: "notify"; reason: string; headline: string }
  | { kind: "resolved"; reason: string; headline: string }
  /** Already answered by the rollback that brought the rollout here. */
  | { kind: "handled"; detail: string };

export function decideAlert(input: {
  rollout: string;
  file: RolloutFile;
  view: StageView;
  alert: AlertFacts;
}): AlertDecision {
  const { rollout, file, view, alert } = input;
  const reason = `alert ${alert.name}${alert.summary ? `: ${alert.summary}` : ""}`;
  if (alert.status === "resolved")
    return { kind: "resolved", reason, headline: `resolved: ${reason} — no action taken` };
  const policy = alertPolicy(file, alert.severity);
  if (policy.action === "notify") return { kind: "notify", reason, headline: `${alert.severity}: ${reason}` };
  if (policy.action === "pause") return { kind: "pause", reason };
  if (!(file.automation?.auto_rollback ?? true)) {
    return {
      kind: "page",
      reason,
      headline: `🚨 ${reason} — auto-rollback is off: roll back with /rollout rollback ${rollout}`,
    };
  }
  const began = alert.startsAt === undefined ? Number.NaN : Date.parse(alert.startsAt);
  if (view.phase === "rolled_back" && policy.to !== 0 && view.startedAt && began < view.startedAt.getTime()) {
    return {
      kind: "handled",
      detail: `${alert.name} began firing before the rollback to ${view.percent}%, which answered it`,
    };
  }
  return { kind: "rollback", to: policy.to, from: view.percent, reason };
}
