import { CronExpressionParser } from "cron-parser";
import type { RolloutFile } from "../config/schema.ts";
import type { Settings } from "../config/settings-schema.ts";
import { viewState } from "./stage-view.ts";

/** When scheduled status is due: the schedule fired since the last post. Pure: time comes in. */

export const DEFAULT_STATUS_SCHEDULE = "0 */4 * * *";

export interface StatusSchedule {
  cron: string;
  timezone: string;
}

/** The current stage's schedule, else the rollout's, else the settings', else every 4 hours. */
export function statusSchedule(file: RolloutFile, settings: Settings): StatusSchedule {
  return {
    cron:
      viewState(file).current?.schedule ??
      file.notify?.schedule ??
      settings.notify?.schedule ??
      DEFAULT_STATUS_SCHEDULE,
    timezone: file.notify?.timezone ?? settings.notify?.timezone ?? "UTC",
  };
}

/**
 * Occurrences already worked out, per expression: the latest one and the one after it. Every pass
 * asks for every rollout; until the next occurrence the answer is the same, so the expression is not
 * parsed again (cron-parser, ≈ 0.1 ms a parse). A pure memo: same inputs, same answer.
 */
const occurrences = new Map<string, { prev: number; next: number } | null>();
const MAX_EXPRESSIONS = 10_000;

/** The latest scheduled time at or before `now`; undefined for an expression cron-parser refuses. */
export function lastOccurrence(schedule: StatusSchedule, now: Date): Date | undefined {
  const key = `${schedule.cron}\u0000${schedule.timezone}`;
  const at = now.getTime();
  const known = occurrences.get(key);
  if (known === null) return undefined;
  if (known && known.prev <= at && at < known.next) return new Date(known.prev);
  if (occurrences.size >= MAX_EXPRESSIONS) occurrences.clear();
  try {
    // prev() is strictly before currentDate: nudge by 1 ms so a tick exactly on the minute counts.
    const expression = CronExpressionParser.parse(schedule.cron, {
      currentDate: new Date(at + 1),
      tz: schedule.timezone,
    });
    const prev = expression.prev().toDate().getTime();
    const next = expression.next().toDate().getTime();
    occurrences.set(key, { prev, next: next > prev ? next : prev + 1 });
    return new Date(prev);
  } catch {
    occurrences.set(key, null);
    return undefined;
  }
}

/** Due when the schedule has fired after the last post (or after `since`, when never posted). */
export function isStatusDue(schedule: StatusSchedule, lastPosted: Date, now: Date): boolean {
  const last = lastOccurrence(schedule, now);
  return last !== undefined && last.getTime() > lastPosted.getTime();
}
