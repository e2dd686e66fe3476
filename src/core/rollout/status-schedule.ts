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

/** The latest scheduled time at or before `now`; undefined for an expression cron-parser refuses. */
export function lastOccurrence(schedule: StatusSchedule, now: Date): Date | undefined {
  try {
    // prev() is strictly before currentDate: nudge by 1 ms so a tick exactly on the minute counts.
    const expression = CronExpressionParser.parse(schedule.cron, {
      currentDate: new Date(now.getTime() + 1),
      tz: schedule.timezone,
    });
    return expression.prev().toDate();
  } catch {
    return undefined;
  }
}

/** Due when the schedule has fired after the last post (or after `since`, when never posted). */
export function isStatusDue(schedule: StatusSchedule, lastPosted: Date, now: Date): boolean {
  const last = lastOccurrence(schedule, now);
  return last !== undefined && last.getTime() > lastPosted.getTime();
}
