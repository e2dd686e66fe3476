import type { FreezeWindow } from "../config/settings-schema.ts";

/** Freeze windows: declared periods with no advance (rollback is always allowed). */

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function weekMinute(spec: string): number {
  const [day = "mon", time = "00:00"] = spec.split(" ");
  const [h = 0, m = 0] = time.split(":").map(Number);
  return DAYS.indexOf(day) * 1440 + h * 60 + m;
}

/** Minute of the week (Sunday 00:00 = 0) at `now` in `timeZone`, via Intl: no tz database of our own. */
function localWeekMinute(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = DAYS.indexOf(get("weekday").toLowerCase().slice(0, 3));
  return day * 1440 + Number(get("hour")) * 60 + Number(get("minute"));
}

export function isFrozen(window: FreezeWindow, now: Date): boolean {
  if ("start" in window) {
    return now.getTime() >= Date.parse(window.start) && now.getTime() < Date.parse(window.end);
  }
  const from = weekMinute(window.weekly.from);
  const to = weekMinute(window.weekly.to);
  const at = localWeekMinute(now, window.timezone);
  // A window may wrap the week's end (fri 17:00 → mon 09:00).
  return from <= to ? at >= from && at < to : at >= from || at < to;
}

export function activeFreeze(windows: readonly FreezeWindow[], now: Date): FreezeWindow | undefined {
  return windows.find((w) => isFrozen(w, now));
}
