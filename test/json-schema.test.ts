import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Ajv } from "ajv";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { JSON_SCHEMAS, renderJsonSchemas } from "../scripts/json-schemas.ts";
import { parseRolloutFile, parseSettingsFile } from "../src/core/config/rollout-file.ts";
import { RolloutFile } from "../src/core/config/schema.ts";
import { Settings } from "../src/core/config/settings-schema.ts";
import { exampleFiles, ROOT } from "./helpers/examples.ts";

/** The published JSON Schemas: fresh, valid for Ajv, and in agreement with zod. */

const addFormats = addFormatsModule.default;

function compile(file: string): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, "schema", file), "utf8")));
}

const validateRollout = compile("rollout.schema.json");
const validateSettings = compile("rollout-bot.schema.json");

/** The draft-07 renders, with Ajv's draft-07 class (the one vscode-yaml's validator matches). */
function compileDraft07(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, "schema/draft-07", file), "utf8")));
}
const validateRollout07 = compileDraft07("rollout.schema.json");
const validateSettings07 = compileDraft07("rollout-bot.schema.json");

const ajvErrors = (validate: ValidateFunction) =>
  (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);

describe("schema/*.json", () => {
  const rendered = renderJsonSchemas();

  it.each(Object.keys(rendered))("%s matches a fresh render (else run npm run schema)", (name) => {
    const committed = readFileSync(join(ROOT, "schema", name), "utf8");
    expect(committed, `schema/${name} is stale: run npm run schema`).toBe(rendered[name]);
  });

  it("renders one file per schema, each with $id, title and description", () => {
    expect(Object.keys(rendered).sort()).toEqual([
      "draft-07/rollout-bot.schema.json",
      "draft-07/rollout.schema.json",
      "rollout-bot.schema.json",
      "rollout.schema.json",
    ]);
    for (const spec of JSON_SCHEMAS) {
      const draft07 = JSON.parse(rendered[`draft-07/${spec.file}`] ?? "{}");
      expect(draft07.$schema).toBe("http://json-schema.org/draft-07/schema#");
      expect(draft07.$id).toBe(`https://rollout-bot.dev/schema/draft-07/${spec.file}`);
      const validate07 = spec.file === "rollout.schema.json" ? validateRollout07 : validateSettings07;
      expect(validate07({ notify: { schedule: 5 }, stages: "all at once" })).toBe(false);
      const doc = JSON.parse(rendered[spec.file] ?? "{}");
      expect(doc.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(doc.$id).toMatch(new RegExp(`^https://.+/${spec.file.replace(/\./g, "\\.")}$`));
      expect(doc.title).toBe(spec.title);
      expect(doc.description).toBe(spec.description);
      expect(rendered[spec.file]?.endsWith("}\n")).toBe(true);
    }
  });

  it("describes the input side: durations and percentages are strings users type", () => {
    const doc = JSON.parse(rendered["rollout.schema.json"] ?? "{}");
    const stage = doc.properties.stages.items;
    expect(stage.properties.bake).toMatchObject({ type: "string", minLength: 1 });
    const below = stage.properties.criteria.items.properties.below;
    expect(below.anyOf).toContainEqual({ type: "string", pattern: "^-?\\d+(?:\\.\\d+)?%$" });
    // Fields with defaults are optional on the input side.
    expect(stage.required).toEqual(["percent"]);
  });
});

describe("examples against the JSON Schema", () => {
  const files = exampleFiles();

  it("finds the example rollouts and settings", () => {
    expect(files.filter((f) => f.kind === "rollout").length).toBeGreaterThanOrEqual(7);
    expect(files.filter((f) => f.kind === "settings").length).toBeGreaterThanOrEqual(1);
  });

  it.each(files.map((f) => [`${f.repo}/${f.path}`, f] as const))("%s validates (Ajv and zod)", (_, f) => {
    const data = YAML.parse(f.text);
    const validate = f.kind === "rollout" ? validateRollout : validateSettings;
    expect(validate(data), ajvErrors(validate).join("\n")).toBe(true);
    const validate07 = f.kind === "rollout" ? validateRollout07 : validateSettings07;
    expect(validate07(data), ajvErrors(validate07).join("\n")).toBe(true);
    const parsed =
      f.kind === "rollout" ? parseRolloutFile(f.path, f.text) : parseSettingsFile(f.path, f.text);
    expect(parsed.ok ? [] : parsed.diagnostics).toEqual([]);
  });

  it.each(files.map((f) => [`${f.repo}/${f.path}`, f] as const))(
    "%s names its schema on the first line, by a path that exists",
    (_, f) => {
      const schemaFile = f.kind === "rollout" ? "rollout.schema.json" : "rollout-bot.schema.json";
      const firstLine = f.text.split("\n")[0] ?? "";
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
      expect(match?.[1]).toBeDefined();
      // Relative to the example's own folder: examples/<repo>/.github/rollouts → ../../../schema.
      expect(resolve(dirname(f.absolute), match?.[1] ?? "")).toBe(join(ROOT, "schema", schemaFile));
    },
  );
});

const MINIMAL = { stages: [{ percent: 10 }, { percent: 100 }] };
const WITH_METRICS = {
  metrics: { queries: { error_rate: { query: "sum(rate(errors[5m]))", unit: "fraction" } } },
  stages: [{ percent: 10, bake: "1d", criteria: [{ metric: "error_rate", below: "1%" }] }, { percent: 100 }],
};

/** Documents both validators must refuse: the editor flags what the bot would refuse. */
const INVALID_ROLLOUTS: [string, unknown][] = [
  ["no stages", { description: "x" }],
  ["empty stages", { stages: [] }],
  ["an unknown key (typo)", { ...MINIMAL, stage: [] }],
  ["percent 0 as a stage", { stages: [{ percent: 0 }] }],
  ["percent above 100", { stages: [{ percent: 150 }] }],
  ["a duration in words", { stages: [{ percent: 10, bake: "14 days" }] }],
  ["an empty duration", { stages: [{ percent: 10, bake: "" }] }],
  ["approvals not an integer", { stages: [{ percent: 10, approvals: 1.5 }] }],
  [
    "a threshold in words",
    { ...WITH_METRICS, stages: [{ percent: 10, criteria: [{ metric: "error_rate", below: "1 percent" }] }] },
  ],
  [
    "a criterion with two comparisons",
    {
      ...WITH_METRICS,
      stages: [{ percent: 10, criteria: [{ metric: "error_rate", below: "1%", above: "0%" }] }],
    },
  ],
  [
    "a criterion with no comparison",
    { ...WITH_METRICS, stages: [{ percent: 10, criteria: [{ metric: "error_rate" }] }] },
  ],
  [
    "a trigger with no comparison",
    { ...WITH_METRICS, rollback: { triggers: [{ metric: "error_rate", for: "5m" }] } },
  ],
  [
    "an unknown unit",
    { ...WITH_METRICS, metrics: { queries: { error_rate: { query: "x", unit: "percent" } } } },
  ],
  ["a CamelCase metric name", { ...MINIMAL, metrics: { queries: { ErrorRate: "x" } } }],
  ["an unknown phase", { ...MINIMAL, state: { percent: 10, phase: "done" } }],
  ["a started_at that is not ISO 8601", { ...MINIMAL, state: { percent: 10, started_at: "yesterday" } }],
  ["a sync entry with neither pattern nor key", { ...MINIMAL, sync: [{ file: "config.py" }] }],
  ["a cron with 3 fields", { ...MINIMAL, notify: { schedule: "*/4 * *" } }],
  ["an unknown bucketing mode", { ...MINIMAL, bucketing: { mode: "sha1" } }],
  ["an empty salt", { ...MINIMAL, bucketing: { salt: "" } }],
  [
    "credentials by value",
    { ...MINIMAL, metrics: { source: { bearer_token_env: "sk-live-123" }, queries: {} } },
  ],
];

const INVALID_SETTINGS: [string, unknown][] = [
  ["an unknown permission", { permissions: { deploy: { github_teams: ["org/team"] } } }],
  [
    "a weekly freeze in words",
    { freeze: [{ name: "weekend", weekly: { from: "friday 5pm", to: "monday 9am" } }] },
  ],
  [
    "a freeze window without a name",
    { freeze: [{ start: "2026-12-24T00:00:00Z", end: "2026-12-27T00:00:00Z" }] },
  ],
  ["default approvals above 20", { defaults: { approvals: 50 } }],
  ["slack users as a string", { permissions: { rollback: { slack_users: "U012AB3CD" } } }],
];

describe("invalid documents are refused by both zod and the JSON Schema", () => {
  it.each(INVALID_ROLLOUTS)("rollout: %s", (_, doc) => {
    expect(validateRollout(doc)).toBe(false);
    expect(RolloutFile.safeParse(doc).success).toBe(false);
  });

  it.each(INVALID_SETTINGS)("settings: %s", (_, doc) => {
    expect(validateSettings(doc)).toBe(false);
    expect(Settings.safeParse(doc).success).toBe(false);
  });

  it("the JSON Schema accepts the minimal documents zod accepts", () => {
    for (const doc of [MINIMAL, WITH_METRICS]) {
      expect(RolloutFile.safeParse(doc).success).toBe(true);
      expect(validateRollout(doc), ajvErrors(validateRollout).join("\n")).toBe(true);
    }
    expect(validateSettings({})).toBe(true);
    expect(Settings.safeParse({}).success).toBe(true);
  });
});

/** Rollout-ish documents, mostly valid with a sprinkling of mistakes, to compare the two validators on. */
function pick<T>(valid: readonly T[], invalid: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 12 },
    { arbitrary: fc.constantFrom(...invalid), weight: 1 },
  );
}
const duration = pick(["14d", "1h", "30m", "1d12h", "2w", "90s", "0s"], ["", "14 days", "1.5h", "4H", 60]);
const threshold = pick([1, 0.5, 0, 2000, "1%", "1.5%", "-0.5%", "0.1%"], ["1 percent", "%", "1%%", true]);
const metric = pick(["error_rate", "p99"], ["ErrorRate"]);
const comparison = fc
  .tuple(
    fc.subarray(["below", "at_most", "above", "at_least"], { minLength: 1, maxLength: 1 }),
    fc.subarray(["below", "at_most", "above", "at_least"], { minLength: 0, maxLength: 2 }),
    fc.nat(20),
    threshold,
  )
  // Exactly one comparison, except once in a while none or two.
  .map(([one, many, die, value]) => Object.fromEntries((die === 0 ? many : one).map((key) => [key, value])));
const criterion = fc
  .tuple(
    fc.record(
      {
        metric,
        for: fc.oneof(fc.constant("stage"), duration),
        vs: pick(["p99", "error_rate"], ["latency"]),
        compare: pick(["ratio", "increase", "difference"], ["percent"]),
      },
      { requiredKeys: ["metric"] },
    ),
    comparison,
  )
  .map(([base, cmp]) => ({ ...base, ...cmp }));
const trigger = fc
  .tuple(
    fc.record(
      { metric, for: duration, to: pick([0, "previous"], [-5, "zero"]) },
      { requiredKeys: ["metric"] },
    ),
    comparison,
  )
  .map(([base, cmp]) => ({ ...base, ...cmp }));
const stages = fc
  .uniqueArray(fc.constantFrom(5, 10, 25, 50, 100), { maxLength: 3 })
  .map((percents) => percents.sort((a, b) => a - b))
  .chain((percents) =>
    fc.tuple(
      ...percents.map((percent) =>
        fc.record(
          {
            percent: pick([percent], [0, 101, "10%"]),
            bake: duration,
            approvals: pick([0, 1, 2], [1.5, 21, -1]),
            criteria: fc.array(criterion, { maxLength: 2 }),
          },
          { requiredKeys: ["percent"] },
        ),
      ),
    ),
  );
const rolloutDoc = stages.chain((stageList) =>
  fc.record(
    {
      metrics: fc.constant({ queries: { error_rate: { query: "e", unit: "fraction" }, p99: "p" } }),
      stages: fc.constant(stageList),
      rollback: fc.record(
        {
          target: pick(["previous", 0], ["0", 150]),
          cooldown: duration,
          triggers: fc.array(trigger, { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      state: fc.record(
        {
          percent: pick([0, ...stageList.map((s) => s.percent)], [-1]),
          phase: pick(["pending", "baking", "paused", "rolled_back", "complete"], ["done"]),
          started_at: pick(["2026-11-22T10:00:00Z", "2026-11-22T10:00:00.250+01:00"], ["2026-11-22", "now"]),
          cooldown_until: pick(["2026-11-25T10:00:00Z"], ["in 3 days"]),
        },
        { requiredKeys: ["percent"] },
      ),
    },
    { requiredKeys: ["stages"] },
  ),
);

describe("zod and the JSON Schema agree on generated documents", () => {
  it("every document zod accepts, the editor accepts too (the editor never flags a valid file)", () => {
    const docs = fc.sample(
      rolloutDoc.map((doc) => JSON.parse(JSON.stringify(doc)) as unknown),
      { numRuns: 3000, seed: 20261122 },
    );
    let valid = 0;
    let refusedByBoth = 0;
    for (const doc of docs) {
      const zodOk = RolloutFile.safeParse(doc).success;
      const ajvOk = validateRollout(doc);
      if (zodOk) {
        valid++;
        expect(ajvOk, `${JSON.stringify(doc)}\n${ajvErrors(validateRollout).join("\n")}`).toBe(true);
      } else if (!ajvOk) {
        refusedByBoth++;
      }
    }
    // The generator reaches both sides: plenty of valid documents and plenty of invalid ones.
    expect(valid).toBeGreaterThan(300);
    expect(refusedByBoth).toBeGreaterThan(300);
  });
});
