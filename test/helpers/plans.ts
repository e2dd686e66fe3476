import { RolloutFile, type RolloutFileInput } from "../../src/core/config/schema.ts";
import { Settings } from "../../src/core/config/settings-schema.ts";

/** Small plans for unit tests, parsed through the real schema so defaults apply as in production. */
export function plan(overrides: Partial<RolloutFileInput> = {}): RolloutFile {
  return RolloutFile.parse({
    metrics: {
      queries: {
        error_rate: { query: "errors", unit: "fraction" },
        p99: { query: "p99", unit: "seconds" },
        baseline_p99: { query: "legacy_p99", unit: "seconds" },
      },
    },
    stages: [
      { percent: 10, bake: "1h", criteria: [{ metric: "error_rate", below: "1%", for: "stage" }] },
      {
        percent: 50,
        bake: "2h",
        approvals: 2,
        criteria: [{ metric: "p99", vs: "baseline_p99", below: "5%" }],
      },
      { percent: 100, bake: "1h" },
    ],
    rollback: { cooldown: "3d", triggers: [{ metric: "error_rate", above: "5%", for: "5m" }] },
    ...overrides,
  });
}

export const defaultSettings = (input: Record<string, unknown> = {}) => Settings.parse(input);
