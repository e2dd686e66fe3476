import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import type { State } from "../../src/core/config/schema.ts";
import { applyOneByOne, editYaml, renderStateEdit, stateEdits } from "../../src/core/config/yaml-edit.ts";

// renderStateEdit splices every changed field at once against one parse; one edit at a time with a
// parse in between is the reference. The two must write the same bytes (or fail alike) on any file.

const FIELDS = {
  percent: fc.constantFrom(0, 5, 10, 12.5, 50, 100),
  phase: fc.constantFrom("pending", "baking", "paused", "rolled_back", "complete"),
  started_at: fc.constantFrom("2026-11-22T08:00:00Z", "2026-12-02T05:00:00Z"),
  cooldown_until: fc.constantFrom("2026-12-02T05:30:00Z"),
  reason: fc.constantFrom("alert HighErrorRate fired", "gate: passed", "it's #1", ""),
  paused_at: fc.constantFrom("2026-12-01T00:00:00Z"),
  paused_seconds: fc.constantFrom(0, 60, 3600),
  rolled_back_from: fc.constantFrom(25, 50),
} as const;
const KEYS = Object.keys(FIELDS) as (keyof typeof FIELDS)[];

const someState = fc.record(FIELDS, { requiredKeys: [] }) as fc.Arbitrary<State>;
const comment = fc.constantFrom("", " # note", " # a: b");

/** A rollout file whose `state:` is missing, empty, a block of some fields in any order, or a flow map. */
const file = fc
  .record({
    shape: fc.constantFrom("missing", "empty", "block", "block", "block", "flow"),
    present: fc.shuffledSubarray(KEYS),
    values: someState,
    indent: fc.constantFrom(2, 4),
    eol: fc.constantFrom("\n", "\r\n"),
    trailing: fc.boolean(),
    after: fc.constantFrom("", "# footer", "notify:\n  slack_channel: '#x'"),
    emptyReason: fc.boolean(),
    comments: fc.array(comment, { minLength: 8, maxLength: 8 }),
  })
  .map((f) => {
    const pad = " ".repeat(f.indent);
    const head = ["stages:", `${pad}- percent: 10`, `${pad}- percent: 100`];
    const value = (k: keyof typeof FIELDS) => {
      const v =
        (f.values as Record<string, unknown>)[k] ?? (k === "percent" ? 10 : k === "phase" ? "baking" : 1);
      return typeof v === "string" ? JSON.stringify(v) : String(v);
    };
    const state =
      f.shape === "missing"
        ? []
        : f.shape === "empty"
          ? ["state:"]
          : f.shape === "flow"
            ? [`state: {${f.present.map((k) => `${k}: ${value(k)}`).join(", ")}}`]
            : [
                "state:",
                ...f.present.map((k, i) =>
                  k === "reason" && f.emptyReason
                    ? `${pad}reason:${f.comments[i]}`
                    : `${pad}${k}: ${value(k)}${f.comments[i]}`,
                ),
              ];
    const lines =
      f.after.startsWith("#") || f.after === ""
        ? [...head, ...state, ...(f.after ? [f.after] : [])]
        : [...head, ...f.after.split("\n"), ...state];
    const text = lines.join(f.eol);
    return f.trailing ? text + f.eol : text;
  });

const outcome = (run: () => string) => {
  try {
    return { text: run() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

describe("state edits at once", () => {
  it("write what one edit at a time writes", () => {
    fc.assert(
      fc.property(file, someState, (text, next) => {
        const edits = stateEdits(parseDocument(text), next);
        const batched = outcome(() => editYaml(text, edits));
        expect(batched).toEqual(outcome(() => applyOneByOne(text, edits)));
        expect(outcome(() => renderStateEdit(text, next))).toEqual(batched);
      }),
      { numRuns: 1_000 },
    );
  });

  it("land every field of a rollback in a block state", () => {
    const text =
      "stages:\n  - percent: 50\nstate:\n  percent: 50 # stage 2\n  phase: baking\n  paused_at: 2026-12-01T00:00:00Z\n";
    const out = renderStateEdit(text, {
      percent: 10,
      phase: "rolled_back",
      started_at: "2026-12-02T05:00:00Z",
      reason: "alert fired",
      rolled_back_from: 50,
    });
    expect(out).toBe(
      "stages:\n  - percent: 50\nstate:\n  percent: 10 # stage 2\n  phase: rolled_back\n  started_at: 2026-12-02T05:00:00Z\n  reason: alert fired\n  rolled_back_from: 50\n",
    );
  });
});
