import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
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

describe("README and the code it describes", () => {
  const root = join(import.meta.dirname, "..");
  const cliSection = readme.slice(readme.indexOf("## The CLI"), readme.indexOf("## The server"));

  it("lists every command and option of the CLI in its usage block", async () => {
    const { CLI_USAGE } = await import("../src/surfaces/cli/run-cli.ts");
    const block = /```\n(rollout \[options\][\s\S]*?)```/.exec(cliSection)?.[1] ?? "";
    const options = [...CLI_USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
    expect(options).toEqual(
      expect.arrayContaining(["--repo", "--all", "--verbose", "--notify", "--version"]),
    );
    expect(options.filter((o) => !block.includes(o))).toEqual([]);
    const { VERBS } = await import("../src/core/commands/command.ts");
    const words = [...VERBS, "init", "completion"];
    expect(words.filter((w) => !new RegExp(`(^|\\s)${w}\\b`, "m").test(block))).toEqual([]);
  });

  it("runs the CLI examples as written", () => {
    const block = /```sh\n(npm run build\n[\s\S]*?)```/.exec(cliSection)?.[1] ?? "";
    const commands = block.split("\n").filter((l) => l.startsWith("node dist/cli.js "));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const line of commands) {
      const args = [...line.slice("node ".length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
      expect(run.status, `${line}\n${run.stdout}${run.stderr}`).toBe(0);
    }
  });

  it("names every field `status --json` returns", () => {
    const run = spawnSync(
      process.execPath,
      ["dist/cli.js", "status", "places-api-v1", "--json", "--dir", "examples/places-api"],
      { cwd: root, encoding: "utf8" },
    );
    const status = JSON.parse(run.stdout) as Record<string, unknown>;
    const paragraph = cliSection.slice(cliSection.indexOf("`status <rollout> --json`"));
    const documented = paragraph.slice(0, paragraph.indexOf("\n\n"));
    expect(Object.keys(status).filter((key) => !documented.includes(`\`${key}\``))).toEqual([]);
    expect(documented).toContain('{"rollouts": [');
  });

  it("uses actions/checkout@v5 everywhere and tests on Node 20 and 24", () => {
    const files = [
      "README.md",
      ...["examples/workflows", ".github/workflows"].flatMap((dir) =>
        readdirSync(join(root, dir)).map((f) => `${dir}/${f}`),
      ),
    ];
    const old = files.filter((f) => /actions\/checkout@v[0-4]\b/.test(readFileSync(join(root, f), "utf8")));
    expect(old).toEqual([]);
    const ci = readFileSync(join(root, ".github/workflows/ci.yml"), "utf8");
    expect(ci).toMatch(/node: \[20, 24\]/);
  });

  it("marks nothing as planned that the code has", () => {
    const table = readme.slice(readme.indexOf("## What works today"), readme.indexOf("## The rollout file"));
    expect(table).toContain("Several replicas on Redis");
    expect(table).not.toMatch(/Redis[^\n]*\| planned/);
  });
});
