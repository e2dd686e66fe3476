import { FlagdCore } from "@openfeature/flagd-core";
import { describe, expect, it } from "vitest";
import { RolloutFile } from "../../src/core/config/schema.ts";
import { applySyncTarget, type SyncTarget } from "../../src/core/config/sync-target.ts";

/** The flagd sync target, checked by evaluating the written file with flagd's own evaluator. */

const FLAGD = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "new-checkout": {
      "state": "ENABLED",
      "variants": { "on": true, "off": false },
      "defaultVariant": "off",
      "targeting": {
        "fractional": [
          ["on", 0],
          ["off", 100]
        ]
      }
    },
    "dark-mode": {
      "state": "ENABLED",
      "variants": { "on": true, "off": false },
      "defaultVariant": "off"
    }
  }
}
`;

const target = (input: object): SyncTarget => {
  const parsed = RolloutFile.safeParse({
    stages: [{ percent: 5 }, { percent: 12.5 }, { percent: 25 }, { percent: 50 }, { percent: 100 }],
    sync: [{ file: "flags/flagd.json", ...input }],
  });
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data.sync[0] as SyncTarget;
};
const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function evaluate(text: string, flag = "new-checkout"): boolean[] {
  const core = new FlagdCore();
  core.setConfigurations(text);
  return users.map((targetingKey) => {
    const result = core.resolveBooleanEvaluation(flag, false, { targetingKey });
    if (result.errorCode) throw new Error(`${result.errorCode}: ${result.errorMessage}`);
    return result.value;
  });
}

describe("flagd sync target", () => {
  const t = target({ flagd: "new-checkout" });
  const at = (percent: number, text = FLAGD) => {
    const result = applySyncTarget(text, t, percent);
    if (!result.ok) throw new Error(result.message);
    return result.text;
  };

  it("writes only the two weights, keeping the file's layout", () => {
    expect(at(25)).toBe(FLAGD.replace('["on", 0]', '["on", 25]').replace('["off", 100]', '["off", 75]'));
    expect(at(12.5)).toBe(FLAGD.replace('["on", 0]', '["on", 125]').replace('["off", 100]', '["off", 875]'));
    expect(at(0)).toBe(FLAGD);
  });

  it("flagd evaluates the written file to the percentage, only ever adding users as it rises", () => {
    let previous: boolean[] | undefined;
    for (const percent of [0, 5, 12.5, 25, 50, 100]) {
      const on = evaluate(at(percent));
      const share = (on.filter(Boolean).length / users.length) * 100;
      expect(Math.abs(share - percent), `${percent}%: ${share}%`).toBeLessThan(1.5);
      if (previous) for (const [i, was] of previous.entries()) if (was) expect(on[i]).toBe(true);
      previous = on;
    }
    expect(evaluate(at(100)).every(Boolean)).toBe(true);
    expect(evaluate(at(0)).some(Boolean)).toBe(false);
  });

  it("keeps a bucketBy argument and YAML-free JSON intact", () => {
    const withKey = FLAGD.replace('"fractional": [', '"fractional": [\n          { "var": "email" },');
    const text = at(50, withKey);
    expect(JSON.parse(text).flags["new-checkout"].targeting.fractional).toEqual([
      { var: "email" },
      ["on", 50],
      ["off", 50],
    ]);
  });

  it("explains a missing flag, a missing rule and a variant in the wrong place", () => {
    const fail = (input: object, text = FLAGD) => {
      const result = applySyncTarget(text, target(input), 25);
      return result.ok ? "ok" : result.message;
    };
    expect(fail({ flagd: "nope" })).toBe("flags/flagd.json: flag 'nope': not found under flags");
    expect(fail({ flagd: "dark-mode" })).toBe(
      `flags/flagd.json: flag 'dark-mode': needs a "fractional" targeting rule, e.g. [["on", 0], ["off", 100]]`,
    );
    expect(fail({ flagd: "new-checkout", variant: "off" })).toMatch(
      /variant 'off' must be the first bucket \(it is second\)/,
    );
    expect(fail({ flagd: "new-checkout", variant: "green" })).toMatch(/it is missing/);
    expect(fail({ flagd: "new-checkout" }, FLAGD.replace('["off", 100]', '["off", 50], ["x", 50]'))).toBe(
      "flags/flagd.json: flag 'new-checkout': the fractional rule must have two buckets [variant, weight], found 3",
    );
    expect(fail({ flagd: "new-checkout" }, "{ nope")).toMatch(/^flags\/flagd.json: cannot parse as JSON/);
  });
});
