import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshClone, ROOT } from "../helpers/fresh-clone.ts";

/**
 * The CLI as a team installs it: `npm pack` of a fresh clone (prepack builds dist/), then
 * `npm install -g` of the tarball into a temporary prefix, with `rollout` on that prefix's PATH:
 * `rollout --version`, `rollout init`, `rollout status` on the scaffolded repository.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("npm pack + npm install -g", () => {
  it("installs `rollout` on PATH, which scaffolds a repository and shows its status", () => {
    const clone = freshClone();
    const out = mkdtempSync(join(tmpdir(), "rollout-pack-"));
    const prefix = mkdtempSync(join(tmpdir(), "rollout-prefix-"));
    const repo = mkdtempSync(join(tmpdir(), "rollout-team-repo-"));
    dirs.push(clone, out, prefix, repo);
    // The clone's dev dependencies (esbuild) for prepack, without a second npm ci.
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    const npm = (args: string[], cwd: string) =>
      execFileSync("npm", [...args, "--no-audit", "--no-fund"], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, npm_config_prefer_offline: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      });
    npm(["pack", "--silent", "--pack-destination", out], clone);
    const [tarball] = readdirSync(out).filter((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const contents = execFileSync("tar", ["tzf", join(out, tarball!)], { encoding: "utf8" }).split("\n");
    expect(contents).toEqual(
      expect.arrayContaining([
        "package/dist/cli.js",
        "package/dist/server.js",
        "package/app.yml",
        "package/package.json",
      ]),
    );
    expect(contents.filter((f) => f.startsWith("package/src/"))).toEqual([]);

    npm(["install", "--global", "--prefix", prefix, join(out, tarball!)], out);
    const bin = join(prefix, "bin");
    expect(existsSync(join(bin, "rollout"))).toBe(true);
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME ?? "", USER: "carol" };
    const run = (args: string[]) => spawnSync("rollout", args, { cwd: repo, env, encoding: "utf8" });

    expect(run(["--version"]).stdout).toMatch(/^rollout-bot \d+\.\d+\.\d+/);
    spawnSync("git", ["init", "-q", repo]);
    const init = run(["init", "--id", "checkout-v2", "--yes"]);
    expect(init.stderr).toBe("");
    expect(init.status).toBe(0);
    const status = run(["status"]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain("checkout-v2 at 0% (pending)");
  }, 240_000);
});
