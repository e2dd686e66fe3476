import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRolloutFile } from "../src/core/config/rollout-file.ts";

/** Docs that match the code: the README's examples must be valid for the code they describe. */
const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");

describe("README", () => {
  it("gives the two commands for a fresh machine on its first screen", () => {
    const firstScreen = readme.split("\n").slice(0, 20).join("\n");
    expect(firstScreen).toContain("npm ci && npm run demo");
    expect(firstScreen).toContain("npm ci && npm test");
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../package.json"), "utf8"));
    expect(Object.keys(pkg.scripts)).toEqual(
      expect.arrayContaining(["build", "start", "test", "demo", "typecheck", "lint"]),
    );
  });

  it("shows a rollout file that validates", () => {
    const section = readme.slice(readme.indexOf("## The rollout file"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const parsed = parseRolloutFile(".github/rollouts/places-api-v1.yml", yaml ?? "");
    expect(parsed.ok ? [] : parsed.diagnostics).toEqual([]);
  });

  it("names the CI test command that .ci/run runs", () => {
    const ci = readFileSync(join(import.meta.dirname, "../.ci/run"), "utf8");
    expect(ci).toMatch(/^npm test$/m);
  });
});
