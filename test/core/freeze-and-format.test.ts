import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/core/duration.ts";
import { formatValue } from "../../src/core/messages/format-value.ts";
import { progressBar } from "../../src/core/messages/status-message.ts";
import { isFrozen } from "../../src/core/rollout/freeze.ts";

describe("durations", () => {
  it.each([
    ["90s", 90],
    ["30m", 1800],
    ["4h", 14_400],
    ["14d", 1_209_600],
    ["1w", 604_800],
    ["1d12h", 129_600],
  ])("parses %s", (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  it.each(["", "4", "h", "4x", "1.5h", "-1h"])("rejects %j", (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
  it("formats in the two largest units", () => {
    expect([0, 59, 3600, 93_784, 1_209_600].map(formatDuration)).toEqual(["0s", "59s", "1h", "1d 2h", "14d"]);
  });
});

describe("freeze windows", () => {
  const weekend = {
    name: "weekend",
    weekly: { from: "fri 17:00", to: "mon 09:00" },
    timezone: "Europe/Berlin",
  };
  it("wraps the week end in the window's time zone", () => {
    // Friday 2026-11-20 16:30 UTC is 17:30 in Berlin (CET, UTC+1).
    expect(isFrozen(weekend, new Date("2026-11-20T16:30:00Z"))).toBe(true);
    expect(isFrozen(weekend, new Date("2026-11-20T15:30:00Z"))).toBe(false);
    expect(isFrozen(weekend, new Date("2026-11-22T12:00:00Z"))).toBe(true);
    expect(isFrozen(weekend, new Date("2026-11-23T07:59:00Z"))).toBe(true);
    expect(isFrozen(weekend, new Date("2026-11-23T08:00:00Z"))).toBe(false);
  });
  it("handles absolute windows, end exclusive", () => {
    const holiday = { name: "bf", start: "2026-11-27T00:00:00Z", end: "2026-11-30T00:00:00Z" };
    expect(isFrozen(holiday, new Date("2026-11-28T00:00:00Z"))).toBe(true);
    expect(isFrozen(holiday, new Date("2026-11-30T00:00:00Z"))).toBe(false);
  });
});

describe("value formatting", () => {
  it("shows each unit the way an SRE reads it", () => {
    expect(formatValue(0.0123, "fraction")).toBe("1.23%");
    expect(formatValue(0.45, "seconds")).toBe("450ms");
    expect(formatValue(2.5, "seconds")).toBe("2.5s");
    expect(formatValue(812.345, "milliseconds")).toBe("812.3ms");
    expect(formatValue(1.8, "seconds", "ratio")).toBe("1.8×");
    expect(formatValue(0.031, "seconds", "increase")).toBe("+3.1%");
    expect(formatValue(0.004, "fraction", "difference")).toBe("+0.4 pts");
  });
  it("draws the progress bar with the current stage marked", () => {
    expect(progressBar(25, [5, 25, 50, 100], 10)).toBe("███░░░░░░░  25%  0 › 5 › [25] › 50 › 100");
  });
});
