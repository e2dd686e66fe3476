import { describe, expect, it } from "vitest";
import { describeFlagReport } from "../../src/core/flags/flag-report.ts";

describe("describeFlagReport: one status line per flag", () => {
  const base = { target: "unleash-prod", flag: "new-checkout", environment: "production", desired: 25 };
  it("says ok, what it changed, what drifted and what failed", () => {
    expect(describeFlagReport({ ...base, observed: 25, state: "ok", changed: false }, "percent")).toBe(
      "ok unleash-prod new-checkout@production: 25%",
    );
    expect(describeFlagReport({ ...base, observed: 40, state: "ok", changed: true }, "percent")).toBe(
      "ok unleash-prod new-checkout@production: 25% (was 40%)",
    );
    expect(describeFlagReport({ ...base, observed: 40, state: "drifted", changed: false }, "percent")).toBe(
      "drifted unleash-prod new-checkout@production: holds 40%, should be 25%",
    );
    expect(
      describeFlagReport({
        ...base,
        state: "failed",
        changed: false,
        detail: "unleash-prod: GET /x answered 401: check the target's token",
      }),
    ).toBe(
      "failed unleash-prod new-checkout@production: unleash-prod: GET /x answered 401: check the target's token (retried on the next pass)",
    );
    expect(
      describeFlagReport({ target: "edge", flag: "on", desired: true, state: "ok", changed: true }, "value"),
    ).toBe("ok edge on: true (was nothing)");
  });
});
