import { describe, expect, it } from "vitest";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import { buildPlan } from "../../src/core/rollout/plan.ts";

/** The bucketing salt: written by the bot when the rollout first takes traffic, never changed after. */

const TEXT =
  "# checkout\nstages:\n  - percent: 10\n  - percent: 50\nstate:\n  percent: 0\n  phase: pending\n";

function planFrom(text: string, from: number, to: number, action: "advance" | "rollback" = "advance") {
  const parsed = parseRolloutFile(".github/rollouts/checkout.yml", text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  const result = buildPlan({
    rollout: parsed.value,
    action,
    result: { ok: true, from: { percent: from }, to: { percent: to, phase: "baking" }, summary: "" },
    actor: "alice",
    health: { status: "green", reasons: [] },
    syncFiles: new Map(),
  });
  if (!result.ok) throw new Error(result.message);
  return result.plan.edits[0]?.after ?? "";
}

describe("bucketing salt", () => {
  it("is written once, on the first step into traffic, as the rollout id", () => {
    const first = planFrom(TEXT, 0, 10);
    expect(first).toBe(
      "# checkout\nstages:\n  - percent: 10\n  - percent: 50\nstate:\n  percent: 10\n  phase: baking\nbucketing:\n  salt: checkout\n",
    );
    const parsed = parseRolloutFile(".github/rollouts/checkout.yml", first);
    expect(parsed.ok && parsed.value.file.bucketing).toEqual({ salt: "checkout", mode: "rollout-bot" });
  });

  it("is never rewritten: not on later steps, not when the team set its own", () => {
    const later = TEXT.replace("percent: 0\n  phase: pending", "percent: 10\n  phase: baking");
    expect(planFrom(later, 10, 50)).not.toContain("bucketing");
    const own = `${TEXT}bucketing:\n  salt: 7f3c9a1e # kept from the old flag system\n  mode: md5\n`;
    expect(planFrom(own, 0, 10)).toContain(
      "bucketing:\n  salt: 7f3c9a1e # kept from the old flag system\n  mode: md5\n",
    );
    const renamed = parseRolloutFile(".github/rollouts/checkout-v2.yml", planFrom(TEXT, 0, 10));
    expect(renamed.ok && renamed.value.file.bucketing?.salt).toBe("checkout");
  });
});
