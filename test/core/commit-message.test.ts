import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditRecord,
  parseCommitMessage,
  renderCommitMessage,
} from "../../src/core/messages/commit-message.ts";

describe("commit message with audit trailers", () => {
  it("renders subject, reason and trailers", () => {
    const text = renderCommitMessage({
      rollout: "places-api-v1",
      action: "rollback",
      from: 50,
      to: 10,
      actor: "U123 (alice)",
      reason: "5xx spike\non checkout",
      evidence: ["FAIL error_rate 6.2% > 5% for 5m — rollback trigger"],
    });
    expect(text).toBe(`rollout(places-api-v1): rollback 50% → 10%

5xx spike on checkout

Rollout: places-api-v1
Rollout-Action: rollback
Rollout-From: 50
Rollout-To: 10
Rollout-Actor: U123 (alice)
Rollout-Reason: 5xx spike on checkout
Rollout-Evidence: FAIL error_rate 6.2% > 5% for 5m — rollback trigger
`);
  });
  it("says 'at' for changes that keep the percent", () => {
    const text = renderCommitMessage({
      rollout: "a",
      action: "pause",
      from: 25,
      to: 25,
      actor: "bob",
      evidence: [],
    });
    expect(text.split("\n")[0]).toBe("rollout(a): pause at 25%");
  });
  it("ignores commits without trailers", () => {
    expect(parseCommitMessage("Fix typo in README")).toBeUndefined();
    expect(parseCommitMessage("rollout(x): tweak\n\nSigned-off-by: a <a@b>")).toBeUndefined();
  });
  it("round-trips any record (property)", () => {
    const line = fc
      .string({ minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[\r\n]/g, " ").trim())
      .filter((s) => s !== "");
    const record = fc.record(
      {
        rollout: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        action: fc.constantFrom("advance", "rollback", "pause", "resume", "complete"),
        from: fc.constantFrom(0, 5, 12.5, 100),
        to: fc.constantFrom(0, 5, 12.5, 100),
        actor: line,
        reason: line,
        evidence: fc.array(line, { maxLength: 4 }),
        forced: fc.constant(true),
      },
      { requiredKeys: ["rollout", "action", "from", "to", "actor", "evidence"] },
    );
    fc.assert(
      fc.property(record, (r) => {
        expect(parseCommitMessage(renderCommitMessage(r as AuditRecord))).toEqual(r);
      }),
    );
  });
});
