import { describe, expect, it } from "vitest";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import { editYaml, renderStateEdit } from "../../src/core/config/yaml-edit.ts";

const ROLLOUT = `# Places API v1 migration: https://wiki.example.com/places-v1
description: Move traffic from legacy places to v1
owner: "@places-team"

metrics:
  queries:
    error_rate: sum(rate(http_errors_total{svc="places-v1"}[5m])) / sum(rate(http_requests_total{svc="places-v1"}[5m]))
    p99_latency:
      query: histogram_quantile(0.99, sum by (le) (rate(http_duration_seconds_bucket[5m])))
      unit: seconds

stages:
  - percent: 10
    bake: 14d
    criteria:
      - metric: error_rate
        below: 1%
        for: stage
  - percent: 50 # half the traffic
    bake: 7d
    approvals: 2
  - percent: 100

notify:
  slack_channel: '#places-api-migration'

# Written by rollout-bot. Edit only in a reviewed commit.
state:
  # the current stage
  percent: 10 # stage 1
  phase: baking

  started_at: 2026-11-01T10:00:00Z
`;

/** Lines of `after` that differ from `before`, for files with the same number of lines. */
function changedLines(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  expect(b).toHaveLength(a.length);
  return b.filter((line, i) => line !== a[i]);
}

describe("renderStateEdit", () => {
  it("the fixture is a valid rollout file", () => {
    expect(parseRolloutFile(".github/rollouts/places-v1.yml", ROLLOUT).ok).toBe(true);
  });

  it("an advance is a two-line diff that keeps comments and blank lines", () => {
    const out = renderStateEdit(ROLLOUT, {
      percent: 50,
      phase: "baking",
      started_at: "2026-11-22T10:00:00Z",
    });
    expect(out).toBe(
      ROLLOUT.replace("  percent: 10 # stage 1\n", "  percent: 50 # stage 1\n").replace(
        "  started_at: 2026-11-01T10:00:00Z\n",
        "  started_at: 2026-11-22T10:00:00Z\n",
      ),
    );
    expect(changedLines(ROLLOUT, out)).toEqual([
      "  percent: 50 # stage 1",
      "  started_at: 2026-11-22T10:00:00Z",
    ]);
  });

  it("changes nothing when the state is already as wanted", () => {
    expect(
      renderStateEdit(ROLLOUT, { percent: 10, phase: "baking", started_at: "2026-11-01T10:00:00Z" }),
    ).toBe(ROLLOUT);
  });

  it("inserts missing keys after the last state line, in state key order, quoting when needed", () => {
    const out = renderStateEdit(ROLLOUT, {
      percent: 10,
      phase: "rolled_back",
      started_at: "2026-11-01T10:00:00Z",
      cooldown_until: "2026-11-25T10:00:00Z",
      reason: "error_rate 6.2% > 5%: see #incident-42",
    });
    expect(out).toBe(
      `${ROLLOUT.replace("  phase: baking\n", "  phase: rolled_back\n")}` +
        `  cooldown_until: 2026-11-25T10:00:00Z\n  reason: "error_rate 6.2% > 5%: see #incident-42"\n`,
    );
    const reparsed = parseRolloutFile(".github/rollouts/places-v1.yml", out);
    expect(reparsed.ok && reparsed.value.file.state?.reason).toBe("error_rate 6.2% > 5%: see #incident-42");
  });

  it("deletes fields that are gone from the state, whole lines only", () => {
    const out = renderStateEdit(ROLLOUT, { percent: 0 });
    expect(out).toBe(
      ROLLOUT.replace(
        "  percent: 10 # stage 1\n  phase: baking\n\n  started_at: 2026-11-01T10:00:00Z\n",
        "  percent: 0 # stage 1\n\n",
      ),
    );
  });

  it("keeps CRLF line endings", () => {
    const crlf =
      "stages:\r\n  - percent: 10\r\n  - percent: 50\r\nstate:\r\n  percent: 10 # now\r\n  phase: baking\r\n";
    const out = renderStateEdit(crlf, { percent: 50, reason: "gate passed" });
    expect(out).toBe(
      "stages:\r\n  - percent: 10\r\n  - percent: 50\r\nstate:\r\n  percent: 50 # now\r\n  reason: gate passed\r\n",
    );
  });

  it("creates a missing state block at the end of the file, after trailing comments", () => {
    const text = "stages:\n  - percent: 10 # first\n\n# state: is written by the bot\n";
    expect(renderStateEdit(text, { percent: 0, phase: "pending" })).toBe(
      `${text}state:\n  percent: 0\n  phase: pending\n`,
    );
  });

  it("creates the state block with the file's own indentation, and without a final newline", () => {
    const text = "notify:\n    slack_channel: '#x'\nstages:\n    - percent: 10";
    expect(renderStateEdit(text, { percent: 10 })).toBe(`${text}\nstate:\n    percent: 10\n`);
  });

  it("fills an empty `state:` key in place", () => {
    const text = "stages:\n  - percent: 10\nstate: # written by the bot\nowner: me\n";
    expect(renderStateEdit(text, { percent: 10, phase: "baking" })).toBe(
      "stages:\n  - percent: 10\nstate: # written by the bot\n  percent: 10\n  phase: baking\nowner: me\n",
    );
  });

  it("falls back to yaml's printer for a flow map, re-printing only that map", () => {
    const text =
      "# plan\nstages: [{percent: 10}, {percent: 50}]\nstate: {percent: 10, phase: baking} # bot\n";
    expect(renderStateEdit(text, { percent: 50, reason: "approved" })).toBe(
      "# plan\nstages: [{percent: 10}, {percent: 50}]\nstate: {percent: 50, reason: approved} # bot\n",
    );
  });
});

describe("editYaml", () => {
  it("replaces only the scalar, keeping single and double quotes", () => {
    const text = "a: 'x' # one\nb: \"y\"\nc: z\n";
    const out = editYaml(text, [
      { path: ["a"], value: "it's" },
      { path: ["b"], value: 'say "hi"' },
      { path: ["c"], value: 42 },
    ]);
    expect(out).toBe("a: 'it''s' # one\nb: \"say \\\"hi\\\"\"\nc: 42\n");
  });

  it("writes numbers and booleans plain even where a string was quoted", () => {
    expect(
      editYaml("a: '10'\nb: \"no\"\n", [
        { path: ["a"], value: 25 },
        { path: ["b"], value: true },
      ]),
    ).toBe("a: 25\nb: true\n");
  });

  it("writes a value after the colon of an empty key, before its comment", () => {
    expect(editYaml("reason:   # why\nx: 1\n", [{ path: ["reason"], value: "manual" }])).toBe(
      "reason: manual   # why\nx: 1\n",
    );
  });

  it("inserts into a mapping inside a list at the siblings' indentation", () => {
    const text = "stages:\n  - percent: 10\n    bake: 1d # first\n  - percent: 100\n# end\n";
    expect(editYaml(text, [{ path: ["stages", 0, "approvals"], value: 2 }])).toBe(
      "stages:\n  - percent: 10\n    bake: 1d # first\n    approvals: 2\n  - percent: 100\n# end\n",
    );
  });

  it("creates nested missing parents", () => {
    expect(editYaml("stages: []\n", [{ path: ["automation", "auto_advance"], value: true }])).toBe(
      "stages: []\nautomation:\n  auto_advance: true\n",
    );
  });

  it("deletes a pair with its trailing comment and nothing else", () => {
    const text = "a: 1\n# about b\nb: 2 # gone\nc:\n  d: 3\n  e: 4\n";
    expect(editYaml(text, [{ path: ["b"], delete: true }])).toBe("a: 1\n# about b\nc:\n  d: 3\n  e: 4\n");
    expect(editYaml(text, [{ path: ["c"], delete: true }])).toBe("a: 1\n# about b\nb: 2 # gone\n");
    expect(editYaml(text, [{ path: ["c", "e"], delete: true }])).toBe(
      "a: 1\n# about b\nb: 2 # gone\nc:\n  d: 3\n",
    );
    expect(editYaml(text, [{ path: ["zzz"], delete: true }])).toBe(text);
  });

  it("deletes the last line of a file without a final newline", () => {
    expect(editYaml("a: 1\r\nb: 2", [{ path: ["b"], delete: true }])).toBe("a: 1");
  });

  it("applies several edits in order", () => {
    const text = "x: 1 # keep\ny: 2\nz: 3\n";
    const out = editYaml(text, [
      { path: ["z"], value: 30 },
      { path: ["y"], delete: true },
      { path: ["w"], value: "new" },
      { path: ["x"], value: 10 },
    ]);
    expect(out).toBe("x: 10 # keep\nz: 30\nw: new\n");
  });

  it("edits a JSON file and keeps it JSON", () => {
    const json = '{\n  "canary": {\n    "weight": 10,\n    "name": "v1"\n  }\n}\n';
    expect(editYaml(json, [{ path: ["canary", "name"], value: "v2" }])).toBe(
      '{\n  "canary": {\n    "weight": 10,\n    "name": "v2"\n  }\n}\n',
    );
  });

  it("refuses edits it cannot make correctly", () => {
    expect(() => editYaml("a: [1\n", [{ path: ["a"], value: 1 }])).toThrow(/invalid YAML/);
    expect(() => editYaml("a: 5\n", [{ path: ["a", "b"], value: 1 }])).toThrow(/a is not a mapping/);
    expect(() => editYaml("a: !!str 7\n", [{ path: ["a"], value: 8 }])).toThrow(/did not take effect/);
    expect(() => editYaml("a: [1]\n", [{ path: ["a", 3], value: 1 }])).toThrow(/cannot add list items: a.3/);
  });
});
