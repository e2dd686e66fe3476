import { describe, expect, it } from "vitest";
import { renderBody } from "../../src/core/messages/bump-pr.ts";
import { renderStageTimeline } from "../../src/core/messages/stage-timeline.ts";
import { renderSummary } from "../../src/surfaces/action/action-summary.ts";
import { plan } from "../helpers/plans.ts";

/** The stage timeline as Mermaid, where GitHub renders Markdown: the bump PR body and the job summary. */
describe("renderStageTimeline", () => {
  it("says in words where each stage stands; the colours only repeat it", () => {
    expect(
      renderStageTimeline({
        percents: [5, 25, 50, 100],
        percent: 25,
        phase: "rolled_back",
        bakes: ["1h", "4h", "8h", "0s"],
        cooldownUntil: "2026-11-26T17:00:00Z",
      }),
    ).toBe(
      [
        "```mermaid",
        "flowchart LR",
        '  s0["0% · ✓ passed"]',
        '  s0 --> s1["5% · bake 1h · ✓ passed"]',
        '  s1 --> s2["25% · bake 4h · ↩ now: rolled back here"]',
        '  s2 --> s3["50% · bake 8h"]',
        '  s3 --> s4["100%"]',
        '  s2 -.- cooldown(["cooldown until 2026-11-26T17:00:00Z"])',
        "  classDef done fill:#dafbe1,stroke:#1a7f37,color:#0d2b16",
        "  classDef now fill:#ddf4ff,stroke:#0969da,stroke-width:3px,color:#0a2540",
        "  classDef back fill:#ffebe9,stroke:#cf222e,stroke-width:3px,color:#3b0a0d",
        "  classDef proposed fill:#fff8c5,stroke:#9a6700,stroke-dasharray:4 3,color:#3b2300",
        "  classDef next fill:#f6f8fa,stroke:#8c959f,color:#24292f",
        "  class s0,s1 done",
        "  class s3,s4 next",
        "  class s2 back",
        "```",
      ].join("\n"),
    );
  });

  it("keeps text from the repository out of the diagram's syntax", () => {
    const text = renderStageTimeline({
      percents: [10],
      percent: 10,
      phase: "baking",
      cooldownUntil: '"]) --> evil["x',
    });
    expect(text).not.toContain('"]) -->');
  });

  it("is in the bump PR body, with the PR's target marked", () => {
    const file = plan({ state: { percent: 10, phase: "baking" } });
    const body = renderBody({
      marker: { v: 1, rollout: "checkout", from: 10, to: 50 },
      file,
      path: ".github/rollouts/checkout.yml",
      health: { status: "green", reasons: [] },
      requiredApprovals: 2,
    });
    expect(body).toContain("```mermaid\nflowchart LR");
    expect(body).toContain('s1["10% · bake 1h · ▶ now: baking"]');
    expect(body).toContain('s2["50% · bake 2h · ⇢ this PR"]');
  });

  it("is in the Action's job summary for each rollout of a status", () => {
    const summary = renderSummary(
      {
        kind: "status",
        invalid: [],
        unreadable: [],
        statuses: [
          {
            rollout: "checkout",
            repo: "acme/shop",
            event: "status",
            headline: "checkout at 50% (paused)",
            colour: "yellow",
            health: { status: "yellow", reasons: [] },
            percent: 50,
            stage: 2,
            stageCount: 3,
            percents: [10, 50, 100],
            phase: "paused",
            links: {},
          },
        ],
      },
      { command: "status", repository: "acme/shop", dryRun: false },
    );
    expect(summary).toContain('s2["50% · ⏸ now: paused"]');
  });
});
