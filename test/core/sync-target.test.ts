import { describe, expect, it } from "vitest";
import { applySyncTarget, formatLike } from "../../src/core/config/sync-target.ts";

const CONFIG_PY = `"""Places service configuration."""
import os

# Share of traffic sent to the v1 API (0-100). Managed by rollout-bot.
v1_traffic_percentage = 10.0
legacy_timeout_seconds = 30
`;

const VALUES_YAML = `# Helm values for places-api
image:
  tag: "1.42.0"
canary:
  enabled: true
  weight: 10 # percent of traffic
routes:
  - name: legacy
    weight: "90"
  - name: v1
    weight: '10'
`;

const PY = {
  file: "receipt_places/config.py",
  pattern: "^v1_traffic_percentage = (\\S+)$",
  value: "percent",
} as const;

describe("applySyncTarget with a pattern", () => {
  it("rewrites only the captured value, keeping its decimals", () => {
    expect(applySyncTarget(CONFIG_PY, PY, 25)).toEqual({
      ok: true,
      text: CONFIG_PY.replace("v1_traffic_percentage = 10.0", "v1_traffic_percentage = 25.0"),
    });
  });

  it("never loses precision", () => {
    const result = applySyncTarget(CONFIG_PY, PY, 12.5);
    expect(result.ok && result.text.split("\n")[4]).toBe("v1_traffic_percentage = 12.5");
  });

  it("writes a fraction when asked", () => {
    const text = "V1_SHARE=0.10\n";
    const target = { file: ".env", pattern: "^V1_SHARE=([\\d.]+)$", value: "fraction" } as const;
    expect(applySyncTarget(text, target, 25)).toEqual({ ok: true, text: "V1_SHARE=0.25\n" });
    expect(applySyncTarget(text, target, 5)).toEqual({ ok: true, text: "V1_SHARE=0.05\n" });
    expect(applySyncTarget(text, target, 100)).toEqual({ ok: true, text: "V1_SHARE=1.00\n" });
  });

  it("keeps quotes that the group captured", () => {
    const target = { file: "a.ts", pattern: 'WEIGHT = ("\\d+")', value: "percent" } as const;
    expect(applySyncTarget('export const WEIGHT = "10";\n', target, 50)).toEqual({
      ok: true,
      text: 'export const WEIGHT = "50";\n',
    });
  });

  it("explains every way a pattern can be wrong", () => {
    const fail = (pattern: string, text = CONFIG_PY) =>
      applySyncTarget(text, { file: "config.py", pattern, value: "percent" }, 25);
    expect(fail("^v2_traffic = (\\S+)$")).toEqual({
      ok: false,
      message: "config.py: pattern /^v2_traffic = (\\S+)$/ matches nothing; it must match exactly once",
    });
    expect(fail("= (\\d+)")).toEqual({
      ok: false,
      message: "config.py: pattern /= (\\d+)/ matches 2 times (lines 5, 6); it must match exactly once",
    });
    expect(fail("v1_traffic_percentage = \\S+")).toEqual({
      ok: false,
      message:
        "config.py: pattern /v1_traffic_percentage = \\S+/ must have exactly one capture group around the value, it has 0",
    });
    expect(fail("(v1_traffic_percentage) = (\\S+)")).toEqual({
      ok: false,
      message: expect.stringMatching(/it has 2$/),
    });
    // (toMatchObject with a bare RegExp matches any string: stringMatching is what checks the text.)
    expect(fail("v1_traffic_percentage = ([")).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^config.py: pattern \/v1_traffic_percentage = \(\[\/ is not valid RE2: /,
      ),
    });
    expect(fail("^(v1_traffic_percentage) = ")).toEqual({
      ok: false,
      message: "config.py:5: expected a number in the capture group, found 'v1_traffic_percentage'",
    });
    // `(\d+)` captures "10" of "10.0": 25 is fine, but 12.5 would leave "12.5.0" behind.
    const partial = {
      file: "config.py",
      pattern: "^v1_traffic_percentage = (\\d+)",
      value: "percent",
    } as const;
    expect(applySyncTarget(CONFIG_PY, partial, 12.5)).toEqual({
      ok: false,
      message:
        "config.py: after writing 12.5, /^v1_traffic_percentage = (\\d+)/ no longer captures exactly that value",
    });
  });
});

describe("applySyncTarget with a key", () => {
  it("rewrites a Helm values key and nothing else", () => {
    const target = { file: "deploy/values.yaml", key: "canary.weight", value: "percent" } as const;
    expect(applySyncTarget(VALUES_YAML, target, 50)).toEqual({
      ok: true,
      text: VALUES_YAML.replace("  weight: 10 # percent of traffic", "  weight: 50 # percent of traffic"),
    });
  });

  it("follows list indexes and keeps quotes", () => {
    const v1 = { file: "values.yaml", key: "routes.1.weight", value: "percent" } as const;
    const legacy = { file: "values.yaml", key: "routes.0.weight", value: "percent" } as const;
    const first = applySyncTarget(VALUES_YAML, v1, 25);
    expect(first).toEqual({ ok: true, text: VALUES_YAML.replace("weight: '10'", "weight: '25'") });
    const second = first.ok ? applySyncTarget(first.text, legacy, 75) : first;
    expect(second.ok && second.text).toBe(
      VALUES_YAML.replace("weight: '10'", "weight: '25'").replace('weight: "90"', 'weight: "75"'),
    );
  });

  it("rewrites a JSON key as JSON", () => {
    const json = '{\n  "canary": {\n    "enabled": true,\n    "fraction": 0.1\n  }\n}\n';
    const target = { file: "flags.json", key: "canary.fraction", value: "fraction" } as const;
    expect(applySyncTarget(json, target, 50)).toEqual({ ok: true, text: json.replace("0.1\n", "0.5\n") });
    expect(applySyncTarget(json, target, 25)).toEqual({ ok: true, text: json.replace("0.1\n", "0.25\n") });
  });

  it("explains a missing key, a non-number and an unreadable file", () => {
    const at = (key: string, text = VALUES_YAML) =>
      applySyncTarget(text, { file: "values.yaml", key, value: "percent" }, 25);
    expect(at("canary.percent")).toEqual({
      ok: false,
      message: "values.yaml: key 'canary.percent' not found (found up to 'canary')",
    });
    expect(at("routes.5.weight")).toEqual({
      ok: false,
      message: "values.yaml: key 'routes.5.weight' not found (found up to 'routes')",
    });
    expect(at("nope")).toEqual({ ok: false, message: "values.yaml: key 'nope' not found" });
    expect(at("image.tag")).toEqual({
      ok: false,
      message: "values.yaml: key 'image.tag' must hold a number, found '\"1.42.0\"'",
    });
    expect(at("canary")).toEqual({
      ok: false,
      message: expect.stringMatching(/^values.yaml: key 'canary' must hold a number/),
    });
    expect(at("canary.weight", "canary: [1\n")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^values.yaml: cannot parse as YAML or JSON/),
    });
  });
});

describe("formatLike", () => {
  it("keeps the decimals and quotes of the existing text", () => {
    expect(formatLike("10.0", 25)).toBe("25.0");
    expect(formatLike("0.10", 0.25)).toBe("0.25");
    expect(formatLike("10", 25)).toBe("25");
    expect(formatLike("10", 12.5)).toBe("12.5");
    expect(formatLike("10.00", 12.5)).toBe("12.50");
    expect(formatLike("0.1", 0.125)).toBe("0.125");
    expect(formatLike('"10"', 25)).toBe('"25"');
    expect(formatLike("'0.5'", 1)).toBe("'1.0'");
  });

  it("refuses text that is not a number", () => {
    expect(formatLike("ten", 25)).toBeUndefined();
    expect(formatLike("", 25)).toBeUndefined();
    expect(formatLike(".", 25)).toBeUndefined();
  });
});
