import type { TypedValue } from "../config/schema.ts";
import type { FlagWrite } from "./flag-writes.ts";

/** Where one flag in one service stands after a reconcile pass: shown in status, re-applied next pass. */
export type FlagTargetState = "ok" | "drifted" | "failed";

export interface FlagTargetReport {
  target: string;
  flag: string;
  environment?: string | undefined;
  desired: TypedValue;
  /** What the service held before this pass wrote (undefined: empty, or write-only service). */
  observed?: TypedValue | undefined;
  state: FlagTargetState;
  /** This pass wrote the desired value. */
  changed: boolean;
  detail?: string | undefined;
}

function show(value: TypedValue | undefined, kind: FlagWrite["kind"] | undefined): string {
  if (value === undefined) return "nothing";
  if (kind === "percent" && typeof value === "number") return `${value}%`;
  return JSON.stringify(value);
}

/** One line per flag: `ok unleash-prod new-checkout@production: 25%`. */
export function describeFlagReport(report: FlagTargetReport, kind?: FlagWrite["kind"]): string {
  const where = `${report.target} ${report.flag}${report.environment ? `@${report.environment}` : ""}`;
  const desired = show(report.desired, kind);
  if (report.state === "failed")
    return `failed ${where}: ${report.detail ?? "error"} (retried on the next pass)`;
  if (report.state === "drifted") {
    return `drifted ${where}: holds ${show(report.observed, kind)}, should be ${desired}${report.detail ? ` — ${report.detail}` : ""}`;
  }
  return `ok ${where}: ${desired}${report.changed ? ` (was ${show(report.observed, kind)})` : ""}`;
}
