import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRolloutFile, type Rollout } from "../../src/core/config/rollout-file.ts";

/** The example repositories under `examples/`, each a little checkout the CLI can run on. */

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const EXAMPLES_DIR = join(ROOT, "examples");

export interface ExampleFile {
  kind: "rollout" | "settings";
  /** Name of the example repository (its folder under examples/). */
  repo: string;
  /** Path relative to the example repository, e.g. `.github/rollouts/api-v4.yml`. */
  path: string;
  /** Absolute path. */
  absolute: string;
  text: string;
}

/** An example repository has a .github folder; examples/workflows/ holds workflow files instead. */
export function exampleRepos(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(EXAMPLES_DIR, entry.name, ".github")))
    .map((entry) => entry.name)
    .sort();
}

export function exampleFiles(): ExampleFile[] {
  const files: ExampleFile[] = [];
  for (const repo of exampleRepos()) {
    const base = join(EXAMPLES_DIR, repo);
    const add = (kind: ExampleFile["kind"], absolute: string) =>
      files.push({
        kind,
        repo,
        path: relative(base, absolute),
        absolute,
        text: readFileSync(absolute, "utf8"),
      });
    const rollouts = join(base, ".github", "rollouts");
    if (existsSync(rollouts)) {
      for (const name of readdirSync(rollouts).sort()) {
        if (/\.ya?ml$/.test(name)) add("rollout", join(rollouts, name));
      }
    }
    const settings = join(base, ".github", "rollout-bot.yml");
    if (existsSync(settings)) add("settings", settings);
  }
  return files;
}

/** Reads and parses `examples/<repo>/.github/rollouts/<id>.yml`; throws with the diagnostics when invalid. */
export function loadExample(repo: string, id: string): Rollout {
  const path = `.github/rollouts/${id}.yml`;
  const parsed = parseRolloutFile(path, readFileSync(join(EXAMPLES_DIR, repo, path), "utf8"));
  if (!parsed.ok) throw new Error(`${repo}/${path} is invalid: ${JSON.stringify(parsed.diagnostics)}`);
  return parsed.value;
}

export function readExampleFile(repo: string, path: string): string {
  return readFileSync(join(EXAMPLES_DIR, repo, path), "utf8");
}
