import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseBody,
  parseBranch,
  parseTitle,
  renderBody,
  renderBranch,
  renderTitle,
} from "../../src/core/messages/bump-pr.ts";
import { plan } from "../helpers/plans.ts";

const marker = { v: 1 as const, rollout: "checkout", from: 10, to: 50 };

describe("bump PR model", () => {
  it("renders and parses branch, title and body marker", () => {
    expect(renderBranch("checkout")).toBe("rollout/checkout");
    expect(parseBranch("rollout/checkout")).toEqual({ rollout: "checkout", urgent: false });
    expect(parseBranch(renderBranch("checkout", true))).toEqual({ rollout: "checkout", urgent: true });
    expect(parseBranch("feature/x")).toBeUndefined();
    expect(renderTitle(marker)).toBe("rollout(checkout): 10% → 50%");
    expect(parseTitle(renderTitle({ ...marker, urgent: true }))).toEqual({
      rollout: "checkout",
      from: 10,
      to: 50,
    });
    const body = renderBody({
      marker,
      file: plan({ links: { dashboard: "https://grafana.example/d/1" } }),
      path: ".github/rollouts/checkout.yml",
      health: {
        status: "green",
        reasons: [
          {
            kind: "criterion",
            status: "green",
            pass: true,
            text: "error_rate 0.2% (< 1% over the stage (1d))",
          },
        ],
      },
      requiredApprovals: 2,
    });
    expect(body).toContain("| 2 ← this PR | 50% | 2h | 2 | p99 vs baseline_p99 |");
    expect(body).toContain("- ✓ error_rate 0.2% (< 1% over the stage (1d))");
    expect(body).toContain("[dashboard](https://grafana.example/d/1)");
    expect(parseBody(body)).toEqual(marker);
  });
  it("ignores bodies without a valid marker", () => {
    expect(parseBody("hello")).toBeUndefined();
    expect(parseBody('<!-- rollout-bot:{"v":1,"rollout":"x"} -->')).toBeUndefined();
    expect(parseBody("<!-- rollout-bot:{not json} -->")).toBeUndefined();
    expect(parseBody(null)).toBeUndefined();
  });
  it("round-trips any marker, whatever the health text holds", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        fc.constantFrom(0, 5, 12.5, 50),
        fc.constantFrom(10, 25, 100),
        fc.string(),
        (rollout, from, to, text) => {
          const m = { v: 1 as const, rollout, from, to };
          const body = renderBody({
            marker: m,
            file: plan(),
            path: "p",
            health: {
              status: "yellow",
              reasons: [
                { kind: "info", status: "yellow", pass: false, text: `${text} <!-- rollout-bot:{} -->` },
              ],
            },
            requiredApprovals: 1,
          });
          expect(parseBody(body)).toEqual(m);
          expect(parseBranch(renderBranch(rollout))?.rollout).toBe(rollout);
        },
      ),
    );
  });
});
