import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import { formatDiagnostic, MAX_FILE_BYTES, parseWithSchema } from "../../src/core/config/yaml-diagnostics.ts";

const PATH = ".github/rollouts/places-v1.yml";

/** Diagnostics as `line:column message`, the way a reader checks them. */
function problems(text: string): string[] {
  const parsed = parseRolloutFile(PATH, text);
  if (parsed.ok) return [];
  return parsed.diagnostics.map((d) => formatDiagnostic(d).slice(PATH.length + 1));
}

describe("parseWithSchema: YAML errors", () => {
  it("reports a syntax error with line and column", () => {
    expect(problems('stages:\n  - percent: 10\n    bake: "1d\n')).toEqual(['4:1 Missing closing "quote']);
    expect(problems("stages:\n\t- percent: 10\n")).toEqual(["2:1 Tabs are not allowed as indentation"]);
  });

  it("reports a duplicate key at the duplicate", () => {
    expect(problems("stages:\n  - percent: 10\n    bake: 1d\n    bake: 2d\n")).toEqual([
      "4:5 duplicate key 'bake'",
    ]);
  });

  it("refuses two documents in one file", () => {
    expect(problems("stages:\n  - percent: 10\n---\nstages: []\n")).toEqual([
      "3:1 expected one YAML document, found a second one ('---')",
    ]);
  });

  it("refuses a top-level list, scalar, null or empty file", () => {
    expect(problems("- percent: 10\n")).toEqual(["1:1 expected a mapping of key: value pairs, found a list"]);
    expect(problems("# plan\nhello\n")).toEqual([
      "2:1 expected a mapping of key: value pairs, found a string",
    ]);
    expect(problems("42\n")).toEqual(["1:1 expected a mapping of key: value pairs, found the number 42"]);
    expect(problems("~\n")).toEqual(["1:1 expected a mapping of key: value pairs, found an empty value"]);
    for (const empty of ["", "# nothing yet\n", "---\n"]) {
      expect(problems(empty)).toEqual(["1:1 the file is empty: expected a mapping of key: value pairs"]);
    }
  });

  it("refuses a file over the size limit before parsing it", () => {
    const text = `description: "${"x".repeat(MAX_FILE_BYTES)}"\nstages: [`;
    expect(problems(text)).toEqual(["1:1 file is 257 KiB; the limit is 256 KiB"]);
    // Counted in UTF-8 bytes, not characters.
    expect(problems(`description: ${"é".repeat(MAX_FILE_BYTES / 2)}\n`)).toEqual([
      "1:1 file is 257 KiB; the limit is 256 KiB",
    ]);
  });

  it("stops an alias bomb quickly", () => {
    const names = "abcdefghi";
    let text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    for (let i = 1; i < names.length; i++) {
      const prev = `*${names[i - 1]}`;
      text += `${names[i]}: &${names[i]} [${Array(9).fill(prev).join(", ")}]\n`;
    }
    const start = performance.now();
    expect(problems(text)).toEqual([
      "2:8 too many aliases: the file expands to too much data (a YAML alias bomb?)",
    ]);
    expect(performance.now() - start).toBeLessThan(500);
  });

  it("still allows a few aliases for reuse", () => {
    const text = [
      "metrics:",
      "  queries:",
      "    error_rate: up",
      "stages:",
      "  - percent: 10",
      "    criteria: &gate",
      "      - metric: error_rate",
      "        below: 1%",
      "  - percent: 50",
      "    criteria: *gate",
      "",
    ].join("\n");
    const parsed = parseRolloutFile(PATH, text);
    expect(parsed.ok && parsed.value.file.stages[1]?.criteria[0]?.below).toBe(0.01);
  });

  it("points at an alias with no anchor", () => {
    expect(problems("stages:\n  - percent: 10\nowner: *nobody\n")).toEqual([
      "3:8 Unresolved alias (the anchor must be set before the alias): nobody",
    ]);
  });
});

describe("parseWithSchema: schema errors mapped to the source", () => {
  it("points at a wrong type deep in stages", () => {
    expect(problems("stages:\n  - percent: 10\n  - percent: 50\n    bake: 14x\n")).toEqual([
      "4:11 stages[1].bake: expected a duration like 90s, 30m, 4h or 14d",
    ]);
    expect(problems("stages:\n  - percent: '10'\n")).toEqual([
      "2:14 stages[0].percent: expected a number, got the string '10'",
    ]);
  });

  it("points at an unknown key itself and suggests the near miss", () => {
    expect(problems("stages:\n  - percent: 10\n    bakee: 1d\n")).toEqual([
      "3:5 stages[0]: unknown key 'bakee' (did you mean 'bake'?)",
    ]);
    expect(problems("stages: [{percent: 10}]\nrolback:\n  target: 0\nzebra: 1\n")).toEqual([
      "2:1 unknown key 'rolback' (did you mean 'rollback'?)",
      "4:1 unknown key 'zebra'",
    ]);
  });

  it("points a missing required key at the mapping that lacks it", () => {
    expect(problems("# plan\ndescription: x\n")).toEqual(["2:1 missing required key 'stages'"]);
    expect(problems("stages:\n  - bake: 1d\n")).toEqual(["2:5 stages[0]: missing required key 'percent'"]);
  });

  it("reports an unknown metric reference from the cross-checks", () => {
    const text = [
      "metrics:",
      "  queries:",
      "    error_rate: up",
      "stages:",
      "  - percent: 10",
      "    criteria:",
      "      - metric: eror_rate",
      "        below: 1%",
      "",
    ].join("\n");
    expect(problems(text)).toEqual([
      "7:17 stages[0].criteria[0].metric: unknown metric 'eror_rate' (metrics.queries: error_rate)",
    ]);
  });

  it("gives the useful message for unions, not 'Invalid input'", () => {
    const text = [
      "stages:",
      "  - percent: 10",
      "    criteria:",
      "      - metric: x",
      "        below: '1'",
      "        for: 3x",
      "sync:",
      "  - file: config.py",
      "  - file: values.yaml",
      "    key: canary.weight",
      "    value: pct",
      "rollback:",
      "  target: -5",
      "",
    ].join("\n");
    expect(problems(text)).toEqual([
      "5:16 stages[0].criteria[0].below: expected a number or a percentage like 1.5%",
      "6:14 stages[0].criteria[0].for: expected 'stage' or a duration like 90s, 30m, 4h or 14d, got the string '3x'",
      "8:5 sync[0]: missing required key one of 'pattern', 'key', 'env', 'flagd'",
      "11:12 sync[1].value: expected one of 'percent', 'fraction', got the string 'pct'",
      "13:11 rollback.target: must be at least 0",
    ]);
  });

  it("reports several errors at once, sorted by line", () => {
    const text = [
      "owner: [me]",
      "stages:",
      "  - percent: 10",
      "    bake:",
      "    approvals: 1.5",
      "state:",
      "  percent: 10",
      "  phase: bakin",
      "  started_at: 2026-11-22 10:00",
      "description: 5",
      "",
    ].join("\n");
    expect(problems(text)).toEqual([
      "1:8 owner: expected a string, got a list",
      "4:5 stages[0].bake: expected a duration like 90s, 30m, 4h or 14d, got an empty value",
      "5:16 stages[0].approvals: expected a whole number, got 1.5",
      "8:10 state.phase: expected one of 'pending', 'baking', 'paused', 'rolled_back', 'complete', got the string 'bakin'",
      "9:15 state.started_at: expected an ISO 8601 time like 2026-11-22T10:00:00Z",
      "10:14 description: expected a string, got 5",
    ]);
  });

  it("points a bad record key at the key", () => {
    expect(problems("stages: [{percent: 10}]\nmetrics:\n  queries:\n    ErrorRate: up\n")).toEqual([
      "4:5 metrics.queries.ErrorRate: metric names are lower_snake_case",
    ]);
  });

  it("works for any schema and keeps zod's output type", () => {
    const schema = z.strictObject({ retries: z.number().default(3), name: z.string() });
    const parsed = parseWithSchema("x.yml", "name: a\n", schema);
    expect(parsed).toEqual({ ok: true, value: { retries: 3, name: "a" } });
    expect(parseWithSchema("x.yml", "", schema, { allowEmpty: true })).toMatchObject({
      ok: false,
      diagnostics: [{ file: "x.yml", line: 1, column: 1, message: "missing required key 'name'" }],
    });
  });
});

describe("formatDiagnostic", () => {
  it("renders file:line:column message", () => {
    expect(formatDiagnostic({ file: "a.yml", line: 3, column: 7, message: "boom" })).toBe("a.yml:3:7 boom");
  });
});
