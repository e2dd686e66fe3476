import type { Phase } from "../config/schema.ts";

/**
 * The stage plan as a Mermaid flowchart, for the places GitHub renders Markdown (the bump PR body,
 * the Action's job summary). Each stage says in words where it stands (done, now, this PR, rolled
 * back): the colours only repeat it.
 */

export interface TimelineInput {
  percents: readonly number[];
  percent: number;
  phase: Phase;
  /** Bake time per stage, as text (`1h`), when known. */
  bakes?: readonly string[];
  /** The percent a bump PR moves to. */
  proposed?: number;
  cooldownUntil?: string;
}

const PHASE_WORDS: Record<Phase, string> = {
  pending: "now: not started",
  baking: "▶ now: baking",
  paused: "⏸ now: paused",
  rolled_back: "↩ now: rolled back here",
  complete: "✓ complete",
};

/** Mermaid label text: no quotes, brackets or markup from anywhere reach the diagram source. */
function label(text: string): string {
  return text.replace(/["<>[\]{}|#&;`]/g, " ").slice(0, 80);
}

export function renderStageTimeline(input: TimelineInput): string {
  const stages = [0, ...input.percents];
  const current = stages.indexOf(input.percent);
  const lines = ["```mermaid", "flowchart LR"];
  const classes: Record<string, string[]> = { done: [], now: [], next: [], proposed: [], back: [] };
  stages.forEach((percent, i) => {
    const words: string[] = [`${percent}%`];
    const bake = i > 0 ? input.bakes?.[i - 1] : undefined;
    if (bake && bake !== "0s") words.push(`bake ${bake}`);
    let kind: keyof typeof classes = i < current ? "done" : "next";
    if (i < current) words.push("✓ passed");
    if (i === current) {
      kind = input.phase === "rolled_back" ? "back" : input.phase === "complete" ? "done" : "now";
      words.push(PHASE_WORDS[input.phase]);
    }
    if (input.proposed === percent && i !== current) {
      kind = "proposed";
      words.push("⇢ this PR");
    }
    classes[kind]?.push(`s${i}`);
    const arrow = i === 0 ? "" : `s${i - 1} --> `;
    lines.push(`  ${arrow}s${i}["${label(words.join(" · "))}"]`);
  });
  if (input.cooldownUntil && current >= 0) {
    lines.push(`  s${current} -.- cooldown(["${label(`cooldown until ${input.cooldownUntil}`)}"])`);
  }
  lines.push(
    "  classDef done fill:#dafbe1,stroke:#1a7f37,color:#0d2b16",
    "  classDef now fill:#ddf4ff,stroke:#0969da,stroke-width:3px,color:#0a2540",
    "  classDef back fill:#ffebe9,stroke:#cf222e,stroke-width:3px,color:#3b0a0d",
    "  classDef proposed fill:#fff8c5,stroke:#9a6700,stroke-dasharray:4 3,color:#3b2300",
    "  classDef next fill:#f6f8fa,stroke:#8c959f,color:#24292f",
  );
  for (const [name, nodes] of Object.entries(classes))
    if (nodes.length > 0) lines.push(`  class ${nodes.join(",")} ${name}`);
  lines.push("```");
  return lines.join("\n");
}
