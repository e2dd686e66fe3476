import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, inject, it } from "vitest";
import { buildOptions, ENTRY_POINTS } from "../../scripts/build-options.mjs";
import { ROOT } from "../helpers/examples.ts";

/** dist/action.js is committed (runners do not build): it must be what the sources build to today. */

async function buildAction(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "rollout-action-bundle-"));
  await build(buildOptions({ action: ENTRY_POINTS.action }, dir));
  return readFileSync(join(dir, "action.js"));
}

describe("the committed action bundle", () => {
  it("was up to date when this test run started (else: npm run build, commit dist/action.js)", () => {
    const check = inject("actionBundle");
    expect(check.fresh, check.message).toBe(true);
  });

  it("builds deterministically: two builds in different directories give the same bytes", async () => {
    const [a, b] = await Promise.all([buildAction(), buildAction()]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(readFileSync(join(ROOT, "dist/action.js")))).toBe(true);
  });

  it("is tracked by git while its sourcemap is ignored", () => {
    const ignored = (path: string) => {
      try {
        execFileSync("git", ["check-ignore", "-q", path], { cwd: ROOT });
        return true;
      } catch {
        return false;
      }
    };
    expect([ignored("dist/action.js"), ignored("dist/action.js.map"), ignored("dist/cli.js")]).toEqual([
      false,
      true,
      true,
    ]);
    expect(statSync(join(ROOT, "dist/action.js")).size).toBeLessThan(3 * 1024 * 1024);
  });
});
