import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFlagTargets } from "../../src/adapters/flags/flag-target-registry.ts";
import { FlagTargetsFile } from "../../src/core/config/flag-targets-schema.ts";
import { RolloutFile } from "../../src/core/config/schema.ts";
import { desiredFlagWrites, flagWrites } from "../../src/core/flags/flag-writes.ts";

const file = (flags: unknown[], state?: object) => {
  const parsed = RolloutFile.safeParse({
    stages: [{ percent: 5 }, { percent: 50 }, { percent: 100 }],
    flags,
    state,
  });
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data;
};

describe("flagWrites: what a change means for the flag services", () => {
  const flags = [
    { target: "unleash-prod", flag: "new-checkout", environment: "production" },
    { target: "edge", flag: "cache_share", value: "fraction" },
    { target: "admin", flag: "ENABLE_SCRAPER", value: { stages: { 0: false, 5: true } } },
    { target: "admin", flag: "BACKFILL", value: { stages: { 50: true }, rollback: false } },
  ];

  it("gives one write per entry with something to write", () => {
    expect(flagWrites(file(flags), 5, "advance")).toEqual([
      {
        target: "unleash-prod",
        flag: "new-checkout",
        environment: "production",
        project: undefined,
        kind: "percent",
        value: 5,
      },
      {
        target: "edge",
        flag: "cache_share",
        environment: undefined,
        project: undefined,
        kind: "value",
        value: 0.05,
      },
      {
        target: "admin",
        flag: "ENABLE_SCRAPER",
        environment: undefined,
        project: undefined,
        kind: "value",
        value: true,
      },
    ]);
    expect(flagWrites(file(flags), 50, "advance").map((w) => [w.flag, w.value])).toEqual([
      ["new-checkout", 50],
      ["cache_share", 0.5],
      ["ENABLE_SCRAPER", true],
      ["BACKFILL", true],
    ]);
    expect(flagWrites(file(flags), 0, "rollback").map((w) => [w.flag, w.value])).toEqual([
      ["new-checkout", 0],
      ["cache_share", 0],
      ["ENABLE_SCRAPER", false],
      ["BACKFILL", false],
    ]);
  });

  it("derives the desired state from the file's state alone (a rolled-back rollout keeps its rollback values)", () => {
    expect(
      desiredFlagWrites(file(flags, { percent: 50, phase: "rolled_back" })).map((w) => [w.flag, w.value]),
    ).toEqual([
      ["new-checkout", 50],
      ["cache_share", 0.5],
      ["ENABLE_SCRAPER", true],
      ["BACKFILL", false],
    ]);
    expect(desiredFlagWrites(file(flags)).map((w) => w.value)).toEqual([0, 0, false]);
  });

  it("refuses a URL, a secret, a path-like key or a bad stage key in the rollout file", () => {
    const bad = (entry: object) =>
      RolloutFile.safeParse({ stages: [{ percent: 5 }], flags: [entry] }).success;
    expect(bad({ target: "https://unleash.example.com", flag: "x" })).toBe(false);
    expect(bad({ target: "u", flag: "x", token: "secret" })).toBe(false);
    expect(bad({ target: "u", flag: "x", value: { stages: { 7: true } } })).toBe(false);
    expect(bad({ target: "u", flag: ".." })).toBe(false);
    expect(bad({ target: "u", flag: "a/b" })).toBe(false);
    expect(bad({ target: "u", flag: "x", environment: "../admin" })).toBe(false);
    expect(bad({ target: "u", flag: "x" })).toBe(true);
    expect(bad({ target: "u", flag: "checkout.v2", environment: "production", project: "shop:web" })).toBe(
      true,
    );
  });
});

describe("the operator's FLAG_TARGETS file", () => {
  const write = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), "flag-targets-")), "flags.yml");
    writeFileSync(path, text);
    return path;
  };

  it("is optional, and an invalid one is refused with its file and line, credentials never inline", async () => {
    expect(await loadFlagTargets({})).toBeUndefined();
    const path = write(
      "targets:\n  unleash-prod:\n    type: unleash\n    url: https://unleash.example.com\n    token: sk-live\n",
    );
    await expect(loadFlagTargets({ FLAG_TARGETS: path })).rejects.toThrow(
      new RegExp(`^FLAG_TARGETS: ${path} is invalid:\\n${path}:3`),
    );
    await expect(loadFlagTargets({ FLAG_TARGETS: "/nope/flags.yml" })).rejects.toThrow(
      "FLAG_TARGETS: cannot read /nope/flags.yml: ENOENT",
    );
  });

  it("loads a valid file into a registry limited by owner", async () => {
    const path = write(
      "targets:\n  unleash-prod:\n    type: unleash\n    url: https://unleash.example.com\n    token_env: UNLEASH_TOKEN\n    owners: [Acme]\n",
    );
    const registry = await loadFlagTargets({ FLAG_TARGETS: path, UNLEASH_TOKEN: "t" });
    expect(registry?.forRepo("acme/shop", "unleash-prod")).toMatchObject({
      name: "unleash-prod",
      type: "unleash",
    });
    expect(registry?.forRepo("evil/shop", "unleash-prod")).toEqual({
      error: "unknown flag target 'unleash-prod' (the operator's FLAG_TARGETS offers: none)",
    });
    expect(FlagTargetsFile.safeParse({ targets: { "Bad Name": { type: "unleash" } } }).success).toBe(false);
  });
});
