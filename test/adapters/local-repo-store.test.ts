import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalRepoStore } from "../../src/adapters/local/local-repo-store.ts";
import { MAX_FILE_BYTES } from "../../src/core/config/yaml-diagnostics.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { tempRepo } from "../helpers/temp-repo.ts";

/**
 * Issue 11, finding 9: the local store followed symlinks out of the checkout (read and write), and
 * cut a sync file over 256 KiB when it wrote it back. Through the CLI bundle as users run it, and the
 * store's compare-and-swap directly.
 */

const CLI = join(import.meta.dirname, "../../dist/cli.js");

function rollout(args: string[]) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "", USER: "carol" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** A directory outside the checkout, standing for /etc or another user's files. */
function outside(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rollout-outside-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("the local store and symlinks", () => {
  it("does not read a rollout file that is a symlink out of the checkout", async () => {
    const elsewhere = outside({
      "secret.yml": CHECKOUT_PLAN.replace("# Checkout canary", "description: TOPSECRET"),
    });
    const dir = tempRepo({ "config.py": CONFIG_PY });
    mkdirSync(join(dir, ".github/rollouts"), { recursive: true });
    symlinkSync(join(elsewhere, "secret.yml"), join(dir, ROLLOUT_PATH));
    const result = await rollout(["list", "--json", "--dir", dir]);
    expect(result.out).toContain(
      ".github/rollouts/checkout.yml is a symlink: the bot does not follow symlinks",
    );
    expect(result.out).not.toContain("TOPSECRET");
    expect(result.code).toBe(1);
  });

  it("does not list a rollouts folder that is a symlink", async () => {
    const elsewhere = outside({ "checkout.yml": CHECKOUT_PLAN });
    const dir = tempRepo({ "config.py": CONFIG_PY });
    mkdirSync(join(dir, ".github"), { recursive: true });
    symlinkSync(elsewhere, join(dir, ".github/rollouts"));
    const result = await rollout(["status", "--json", "--dir", dir]);
    expect(result.out).toContain(".github/rollouts is a symlink");
    expect(result.code).toBe(1);
  });

  it("does not write through a symlinked sync file: the file elsewhere is unchanged", async () => {
    const elsewhere = outside({ "victim.py": CONFIG_PY });
    const dir = tempRepo({ [ROLLOUT_PATH]: CHECKOUT_PLAN });
    symlinkSync(join(elsewhere, "victim.py"), join(dir, "config.py"));
    const result = await rollout(["rollback", "checkout", "--to", "0", "--reason", "test", "--dir", dir]);
    expect(result.out).toContain("config.py is a symlink");
    expect(result.code).toBe(1);
    expect(readFileSync(join(elsewhere, "victim.py"), "utf8")).toBe(CONFIG_PY);
    expect(readFileSync(join(dir, ROLLOUT_PATH), "utf8")).toBe(CHECKOUT_PLAN);
  });
});

describe("the local store and large files", () => {
  it("refuses to edit a sync file over 256 KiB instead of writing it back cut", async () => {
    // Long comment lines: the sync pattern only searches short ones, so it runs and the edit is made.
    const big = `${CONFIG_PY}${`# ${"x".repeat(2_000)}\n`.repeat(160)}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_FILE_BYTES);
    const dir = tempRepo({ [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": big });
    const result = await rollout(["rollback", "checkout", "--to", "0", "--reason", "test", "--dir", dir]);
    expect(result.out).toMatch(
      /config\.py is 313 KiB; the bot reads and writes files up to 256 KiB, so it is left unchanged/,
    );
    expect(result.code).toBe(1);
    expect(readFileSync(join(dir, "config.py"), "utf8")).toBe(big);
    expect(readFileSync(join(dir, ROLLOUT_PATH), "utf8")).toBe(CHECKOUT_PLAN);
  });
});

describe("local commits are compare-and-swap", () => {
  it("a file changed since it was read is not overwritten: CONFLICT, and the other change stays", async () => {
    const dir = tempRepo({ [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY });
    const store = new LocalRepoStore(dir, { commit: true });
    const read = await store.readFile("config.py");
    expect(read?.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    writeFileSync(join(dir, "config.py"), "canary_percent = 50.0\n");
    await expect(
      store.commit({
        files: [{ path: "config.py", text: "canary_percent = 0.0\n", baseVersion: read?.version }],
        message: "rollback",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(readFileSync(join(dir, "config.py"), "utf8")).toBe("canary_percent = 50.0\n");
    const fresh = await store.readFile("config.py");
    const applied = await store.commit({
      files: [{ path: "config.py", text: "canary_percent = 0.0\n", baseVersion: fresh?.version }],
      message: "rollback",
    });
    expect(applied.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(readFileSync(join(dir, "config.py"), "utf8")).toBe("canary_percent = 0.0\n");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("a checkout with merges (the demo's bump PRs)", () => {
  it("reads a file as it was at a commit, and dates the stage by the newest commit to the file", async () => {
    const dir = tempRepo({ [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY });
    const at = new Date("2026-11-23T09:30:00Z");
    const store = new LocalRepoStore(dir, { commit: true, commitDate: () => at });
    const [initial] = await store.history("config.py");
    await store.commit({ files: [{ path: "config.py", text: "canary_percent = 5.0\n" }], message: "bump" });
    // What a merged bump PR's stage start reads: the percentage before the merge.
    expect((await store.readFile("config.py", initial!.commit))?.text).toBe(CONFIG_PY);
    expect((await store.readFile("config.py"))?.text).toBe("canary_percent = 5.0\n");
    await expect(store.readFile("config.py", "--output=/tmp/x")).rejects.toMatchObject({ code: "REFUSED" });
    expect(await store.stageStartedAt("config.py")).toEqual(at);
    // Without its own commits the store cannot tell when the work tree changed.
    expect(await new LocalRepoStore(dir).stageStartedAt("config.py")).toBeUndefined();
    expect(await store.dispatchedRuns()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
