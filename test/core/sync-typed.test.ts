import { describe, expect, it } from "vitest";
import { parseRolloutFile } from "../../src/core/config/rollout-file.ts";
import { RolloutFile } from "../../src/core/config/schema.ts";
import { applySyncTarget, type SyncTarget } from "../../src/core/config/sync-target.ts";
import { buildPlan } from "../../src/core/rollout/plan.ts";

/** Typed values per stage and on rollback: booleans, numbers and strings, in the formats the plans use. */

const target = (input: unknown): SyncTarget => {
  const parsed = RolloutFile.safeParse({
    stages: [{ percent: 5 }, { percent: 50 }, { percent: 100 }],
    sync: [input],
  });
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data.sync[0] as SyncTarget;
};
const write = (text: string, t: SyncTarget, percent: number, event: "advance" | "rollback" = "advance") => {
  const result = applySyncTarget(text, t, percent, event);
  return result.ok ? result.text : `ERROR ${result.message}`;
};

const CONFIG_PY = `"""Places service configuration."""
# Share of traffic sent to the v1 API (0-100). Managed by rollout-bot.
v1_traffic_percentage = 10.0
# Off on rollback: receipts stay in the legacy store until v1 is healthy again.
create_receipt_place = True
`;

describe("Python and TypeScript constants by pattern", () => {
  it("Places API: create_receipt_place = False on rollback, untouched on advance", () => {
    const t = target({
      file: "config.py",
      pattern: "^create_receipt_place = (\\w+)$",
      value: { rollback: false },
    });
    expect(write(CONFIG_PY, t, 50)).toBe(CONFIG_PY);
    expect(write(CONFIG_PY, t, 10, "rollback")).toBe(
      CONFIG_PY.replace("create_receipt_place = True", "create_receipt_place = False"),
    );
  });

  it("writes Python's True where the file has no boolean yet, and TypeScript's true", () => {
    const py = target({ file: "flags.py", pattern: "^ENABLE_V2 = (\\w+)$", value: { stages: { 5: true } } });
    expect(write("ENABLE_V2 = None\n", py, 5)).toBe("ENABLE_V2 = True\n");
    const ts = target({
      file: "src/flags.ts",
      pattern: "ENABLE_VIN_DECODER_V2 = (\\w+);",
      value: { stages: { 0: false, 5: true }, rollback: false },
    });
    const text = "// managed by rollout-bot\nexport const ENABLE_VIN_DECODER_V2 = false;\n";
    expect(write(text, ts, 5)).toBe(text.replace("= false;", "= true;"));
    expect(write(text.replace("= false;", "= true;"), ts, 5, "rollback")).toBe(text);
  });

  it("numbers per stage (MAX_BROWSER_CONTEXTS 3 then 10) and quoted strings keep their quotes", () => {
    const n = target({
      file: "settings.ts",
      pattern: "MAX_BROWSER_CONTEXTS = (\\d+)",
      value: { stages: { 5: 3, 100: 10 } },
    });
    const text = "export const MAX_BROWSER_CONTEXTS = 2; // per scraper worker\n";
    expect(write(text, n, 5)).toBe(text.replace("= 2;", "= 3;"));
    expect(write(text, n, 50)).toBe(text.replace("= 2;", "= 3;"));
    expect(write(text, n, 100)).toBe(text.replace("= 2;", "= 10;"));
    const s = target({
      file: "settings.py",
      pattern: "^CACHE_PROVIDER = (\\S+)$",
      value: { stages: { 0: "memory", 100: "redis" } },
    });
    expect(write("CACHE_PROVIDER = 'memory'\n", s, 100)).toBe("CACHE_PROVIDER = 'redis'\n");
    expect(write('CACHE_PROVIDER = "memory"\n', s, 100)).toBe('CACHE_PROVIDER = "redis"\n');
    expect(write('CACHE_PROVIDER = "redis"\n', s, 50, "rollback")).toBe('CACHE_PROVIDER = "memory"\n');
  });

  it("refuses a value the capture cannot hold, and says where", () => {
    const s = target({
      file: "settings.py",
      pattern: "^CACHE_PROVIDER = (\\w+)$",
      value: { stages: { 0: "redis cluster" } },
    });
    expect(write("CACHE_PROVIDER = memory\n", s, 0)).toBe(
      'ERROR settings.py: after writing "redis cluster", /^CACHE_PROVIDER = (\\w+)$/ no longer captures exactly that value',
    );
  });
});

const ENV = `# DealerScope scraper, production
export FF_HEADLESS_SCRAPER=false
FF_PRICE_HISTORY="0" # quoted on purpose
MAX_BROWSER_CONTEXTS=3   # per worker
CACHE_PROVIDER=memory
FF_EMPTY=
`;

describe(".env lines", () => {
  it("rewrites NAME=value lines in their own style, comments and export kept", () => {
    const flag = target({
      file: ".env",
      env: "FF_HEADLESS_SCRAPER",
      value: { stages: { 5: true }, rollback: false },
    });
    expect(write(ENV, flag, 5)).toBe(ENV.replace("FF_HEADLESS_SCRAPER=false", "FF_HEADLESS_SCRAPER=true"));
    const quoted = target({ file: ".env", env: "FF_PRICE_HISTORY", value: { stages: { 50: true } } });
    expect(write(ENV, quoted, 50)).toBe(ENV.replace('FF_PRICE_HISTORY="0"', 'FF_PRICE_HISTORY="1"'));
    const size = target({ file: ".env", env: "MAX_BROWSER_CONTEXTS", value: { stages: { 5: 3, 100: 10 } } });
    expect(write(ENV, size, 100)).toBe(ENV.replace("CONTEXTS=3   #", "CONTEXTS=10   #"));
    const cache = target({
      file: ".env",
      env: "CACHE_PROVIDER",
      value: { stages: { 100: "redis://cache:6379/0" } },
    });
    expect(write(ENV, cache, 100)).toBe(ENV.replace("=memory", "=redis://cache:6379/0"));
    const spaced = target({ file: ".env", env: "CACHE_PROVIDER", value: { stages: { 100: "two words" } } });
    expect(write(ENV, spaced, 100)).toBe(ENV.replace("=memory", '="two words"'));
    const empty = target({ file: ".env", env: "FF_EMPTY", value: { stages: { 5: true } } });
    expect(write(ENV, empty, 5)).toBe(ENV.replace("FF_EMPTY=\n", "FF_EMPTY=true\n"));
    const percent = target({ file: ".env", env: "MAX_BROWSER_CONTEXTS" });
    expect(write(ENV, percent, 50)).toBe(ENV.replace("CONTEXTS=3 ", "CONTEXTS=50 "));
  });

  it("says when the line is missing or there twice", () => {
    const missing = target({ file: ".env", env: "FF_NOPE", value: { stages: { 5: true } } });
    expect(write(ENV, missing, 5)).toBe(
      "ERROR .env: pattern FF_NOPE= matches nothing; it must match exactly once",
    );
    const twice = target({ file: ".env", env: "CACHE_PROVIDER", value: { stages: { 5: "redis" } } });
    expect(write(`${ENV}CACHE_PROVIDER=disk\n`, twice, 5)).toBe(
      "ERROR .env: pattern CACHE_PROVIDER= matches 2 times (lines 5, 7); it must match exactly once",
    );
  });
});

describe("YAML and JSON keys", () => {
  const YAML_TEXT = `# scraper settings
cache:
  provider: memory # redis from the last stage
browser:
  max_contexts: 3
  headless: false
`;
  it("writes typed values as YAML, keeping comments", () => {
    const cache = target({
      file: "s.yaml",
      key: "cache.provider",
      value: { stages: { 0: "memory", 100: "redis" } },
    });
    expect(write(YAML_TEXT, cache, 50)).toBe(YAML_TEXT);
    expect(write(YAML_TEXT, cache, 100)).toBe(YAML_TEXT.replace("provider: memory", "provider: redis"));
    const on = target({ file: "s.yaml", key: "browser.headless", value: { stages: { 5: true } } });
    expect(write(YAML_TEXT, on, 5)).toBe(YAML_TEXT.replace("headless: false", "headless: true"));
    // A string that YAML would read as something else is quoted.
    const tricky = target({ file: "s.yaml", key: "cache.provider", value: { stages: { 5: "true" } } });
    expect(write(YAML_TEXT, tricky, 5)).toBe(YAML_TEXT.replace("provider: memory", 'provider: "true"'));
  });

  it("writes JSON as JSON", () => {
    const json =
      '{\n  "flags": {\n    "cache": "memory",\n    "headless": false,\n    "contexts": 3\n  }\n}\n';
    const cache = target({ file: "flags.json", key: "flags.cache", value: { stages: { 100: "redis" } } });
    expect(JSON.parse(write(json, cache, 100))).toEqual({
      flags: { cache: "redis", headless: false, contexts: 3 },
    });
    const headless = target({ file: "flags.json", key: "flags.headless", value: { stages: { 5: true } } });
    expect(write(json, headless, 5)).toBe(json.replace('"headless": false', '"headless": true'));
    const contexts = target({ file: "flags.json", key: "flags.contexts", value: { stages: { 100: 10 } } });
    expect(write(json, contexts, 100)).toBe(json.replace('"contexts": 3', '"contexts": 10'));
  });

  it("refuses to overwrite a mapping", () => {
    const t = target({ file: "s.yaml", key: "browser", value: { stages: { 5: true } } });
    expect(write(YAML_TEXT, t, 5)).toMatch(
      /^ERROR s.yaml: key 'browser' must hold a value \(not a mapping or list\)/,
    );
  });
});

describe("the schema", () => {
  it("refuses stage keys that are not stages, and an empty typed value", () => {
    const bad = RolloutFile.safeParse({
      stages: [{ percent: 5 }, { percent: 100 }],
      sync: [{ file: ".env", env: "FF_X", value: { stages: { 5: true, 25: false } } }],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["sync.0.value.stages.25", "25 is not 0 or a stage percentage (5, 100)"],
    ]);
    expect(
      RolloutFile.safeParse({ stages: [{ percent: 5 }], sync: [{ file: "a", env: "X", value: {} }] }).success,
    ).toBe(false);
    expect(
      RolloutFile.safeParse({ stages: [{ percent: 5 }], sync: [{ file: "a", env: "FF-X" }] }).success,
    ).toBe(false);
    expect(
      RolloutFile.safeParse({
        stages: [{ percent: 5 }],
        sync: [{ file: "a", env: "X", value: { rollback: [1] } }],
      }).success,
    ).toBe(false);
  });
});

describe("buildPlan: every typed target in the same one commit", () => {
  const ROLLOUT = `# DealerScope headless scraper
stages:
  - percent: 5
  - percent: 50
  - percent: 100
sync:
  - file: .env
    env: FF_HEADLESS_SCRAPER
    value: { stages: { 5: true }, rollback: false }
  - file: .env
    env: MAX_BROWSER_CONTEXTS
    value: { stages: { 5: 3, 100: 10 } }
  - file: .env
    env: CACHE_PROVIDER
    value: { stages: { 0: memory, 100: redis } }
  - file: config/scraper.py
    pattern: "^SCRAPER_PERCENT = (\\\\S+)$"
state:
  percent: 50
  phase: baking
`;
  const parsed = parseRolloutFile(".github/rollouts/scraper.yml", ROLLOUT);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  const rollout = parsed.value;
  const env =
    "export FF_HEADLESS_SCRAPER=true\nMAX_BROWSER_CONTEXTS=3   # per worker\nCACHE_PROVIDER=memory\n";
  const py = "# managed by rollout-bot\nSCRAPER_PERCENT = 50\n";
  const plan = (action: "advance" | "rollback", to: number) =>
    buildPlan({
      rollout,
      action,
      result: {
        ok: true,
        from: { percent: 50, phase: "baking" },
        to: { percent: to, phase: "baking" },
        summary: "",
      },
      actor: "alice",
      health: { status: "green", reasons: [] },
      syncFiles: new Map([
        [".env", { text: env, version: "e1" }],
        ["config/scraper.py", { text: py, version: "p1" }],
      ]),
    });

  it("advancing to the last stage: 10 contexts, redis, the percentage; the flag stays on", () => {
    const result = plan("advance", 100);
    if (!result.ok) throw new Error(result.details.join("\n"));
    expect(result.plan.edits.map((e) => [e.path, e.after])).toEqual([
      [".github/rollouts/scraper.yml", ROLLOUT.replace("  percent: 50\n", "  percent: 100\n")],
      [
        ".env",
        "export FF_HEADLESS_SCRAPER=true\nMAX_BROWSER_CONTEXTS=10   # per worker\nCACHE_PROVIDER=redis\n",
      ],
      ["config/scraper.py", "# managed by rollout-bot\nSCRAPER_PERCENT = 100\n"],
    ]);
    expect(result.plan.edits.map((e) => e.baseVersion)).toEqual([undefined, "e1", "p1"]);
  });

  it("rolling back to 5%: the flag off, sizes of the lower stage", () => {
    const result = plan("rollback", 5);
    if (!result.ok) throw new Error(result.details.join("\n"));
    expect(result.plan.edits.find((e) => e.path === ".env")?.after).toBe(
      "export FF_HEADLESS_SCRAPER=false\nMAX_BROWSER_CONTEXTS=3   # per worker\nCACHE_PROVIDER=memory\n",
    );
  });

  it("a target that cannot be written stops the whole plan, naming it", () => {
    const result = buildPlan({
      rollout,
      action: "advance",
      result: { ok: true, from: { percent: 50 }, to: { percent: 100 }, summary: "" },
      actor: "alice",
      health: { status: "green", reasons: [] },
      syncFiles: new Map([
        [".env", { text: "MAX_BROWSER_CONTEXTS=3\n" }],
        ["config/scraper.py", { text: py }],
      ]),
    });
    expect(result).toEqual({
      ok: false,
      message: "cannot update the files kept in sync",
      details: [
        ".env: pattern FF_HEADLESS_SCRAPER= matches nothing; it must match exactly once",
        ".env: pattern CACHE_PROVIDER= matches nothing; it must match exactly once",
      ],
    });
  });
});
