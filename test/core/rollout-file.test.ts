import { describe, expect, it } from "vitest";
import {
  parseRolloutFile,
  parseSettingsFile,
  rolloutIdFromPath,
} from "../../src/core/config/rollout-file.ts";

const MINIMAL = "stages:\n  - percent: 10\n  - percent: 100\n";

describe("parseRolloutFile", () => {
  it("returns the id from the file name, the text and the parsed file", () => {
    const parsed = parseRolloutFile(".github/rollouts/places-v1.yml", MINIMAL);
    expect(parsed).toEqual({
      ok: true,
      value: {
        id: "places-v1",
        path: ".github/rollouts/places-v1.yml",
        text: MINIMAL,
        file: {
          stages: [
            { percent: 10, criteria: [] },
            { percent: 100, criteria: [] },
          ],
          sync: [],
          flags: [],
        },
      },
    });
  });

  it("accepts .yaml too", () => {
    expect(rolloutIdFromPath(".github/rollouts/checkout.yaml")).toBe("checkout");
    expect(rolloutIdFromPath("C:\\repo\\.github\\rollouts\\a1.yml")).toBe("a1");
    expect(rolloutIdFromPath(".github/rollouts/notes.md")).toBeUndefined();
  });

  it("refuses an id that is not lowercase letters, digits and dashes", () => {
    expect(parseRolloutFile(".github/rollouts/Places_V1.yml", MINIMAL)).toEqual({
      ok: false,
      diagnostics: [
        {
          file: ".github/rollouts/Places_V1.yml",
          line: 1,
          column: 1,
          message:
            "rollout id 'Places_V1' (the file name) must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit",
        },
      ],
    });
    const long = parseRolloutFile(`.github/rollouts/${"a".repeat(64)}.yml`, MINIMAL);
    expect(long.ok).toBe(false);
    const notYaml = parseRolloutFile(".github/rollouts/plan.txt", MINIMAL);
    expect(notYaml.ok ? [] : notYaml.diagnostics.map((d) => d.message)).toEqual([
      "a rollout file name must end in .yml or .yaml",
    ]);
  });

  it("reports a bad file name together with the content's problems", () => {
    const parsed = parseRolloutFile(".github/rollouts/-bad.yml", "stages: []\n");
    expect(parsed.ok ? [] : parsed.diagnostics.map((d) => `${d.line}:${d.column}`)).toEqual(["1:1", "1:9"]);
  });
});

describe("parseSettingsFile", () => {
  it("treats an empty file as all defaults", () => {
    const defaults = {
      permissions: {},
      defaults: { approvals: 1, rollback_target: "previous" },
      freeze: [],
    };
    expect(parseSettingsFile(".github/rollout-bot.yml", "")).toEqual({ ok: true, value: defaults });
    expect(parseSettingsFile(".github/rollout-bot.yml", "# settings come later\n")).toEqual({
      ok: true,
      value: defaults,
    });
  });

  it("reports settings problems with positions", () => {
    const text =
      "notify:\n  slack_chanel: '#ops'\nfreeze:\n  - name: holidays\n    weekly:\n      from: friday 17:00\n      to: mon 09:00\n";
    const parsed = parseSettingsFile(".github/rollout-bot.yml", text);
    expect(parsed.ok ? [] : parsed.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "2:3 notify: unknown key 'slack_chanel' (did you mean 'slack_channel'?)",
      "6:13 freeze[0].weekly.from: expected a weekday and time like 'fri 17:00'",
    ]);
  });
});
