import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/fake-github.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { ROOT } from "../helpers/examples.ts";

/** `rollout --repo owner/name …`: the bundled CLI on the GitHub store the Action uses. */

const CLI = join(ROOT, "dist/cli.js");

function rollout(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "", USER: "carol", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.seedRepo({
    owner: "acme",
    name: "shop",
    files: { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY },
  });
});
afterAll(() => fake.close());
afterEach(() => fake.assertClean());

describe("rollout --repo", () => {
  it("status --json reads the rollout through the GitHub API (GITHUB_API_URL honoured)", async () => {
    const { code, stdout, stderr } = await rollout(["--repo", "acme/shop", "status", "--json"], {
      GITHUB_TOKEN: "ghp_cli",
      GITHUB_API_URL: fake.url,
    });
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      id: "checkout",
      repo: "acme/shop",
      percent: 10,
      stage: 1,
      phase: "baking",
      health: { status: "yellow" },
    });
    expect(fake.requestsTo("GET", "repos/get-content").length).toBeGreaterThan(0);
  });

  it("a dry-run rollback plans from GitHub's files and writes nothing", async () => {
    const before = fake.requests.length;
    const { code, stdout } = await rollout(["--repo", "acme/shop", "rollback", "checkout", "--dry-run"], {
      GITHUB_TOKEN: "ghp_cli",
      GITHUB_API_URL: fake.url,
    });
    expect(code).toBe(0);
    expect(stdout).toContain("dry run — would rollback checkout: 10% → 0%");
    expect(fake.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("without GITHUB_TOKEN it is a usage error (exit 2) that says what is missing", async () => {
    const { code, stderr } = await rollout(["--repo", "acme/shop", "status"], { GITHUB_API_URL: fake.url });
    expect(code).toBe(2);
    expect(stderr).toContain("--repo needs GITHUB_TOKEN");
  });

  it("refuses a malformed repository name and --dir alongside --repo", async () => {
    const bad = await rollout(["--repo", "acme", "status"], { GITHUB_TOKEN: "x" });
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([2, "--repo must be owner/name, got 'acme'"]);
    const both = await rollout(["--repo", "acme/shop", "--dir", ".", "status"], { GITHUB_TOKEN: "x" });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--dir and --commit are for a local checkout");
  });
});
