import { execFileSync, spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Whether the committed dist/action.js matched the sources before this run rebuilt dist/. */
    actionBundle: { fresh: boolean; message: string };
  }
}

/** Tests that run the CLI as users do need the bundle: build it once per test run. */
export default function setup(project: TestProject): void {
  // Checked before the build below rewrites dist/action.js (test/action/bundle.test.ts reports it).
  const check = spawnSync(process.execPath, ["scripts/build.mjs", "--check-action"], { encoding: "utf8" });
  project.provide("actionBundle", {
    fresh: check.status === 0,
    message: `${check.stdout}${check.stderr}`.trim(),
  });
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
