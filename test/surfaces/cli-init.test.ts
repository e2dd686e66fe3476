import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadWorkflowParser, workflowTextErrors } from "../helpers/workflow-parser.ts";

/** `rollout init`, --version, per-command help, completion, plain output and usage errors, as users run them. */
const CLI = join(import.meta.dirname, "../../dist/cli.js");
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as {
  version: string;
};

function rollout(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        encoding: "utf8",
        cwd: options.cwd ?? tmpdir(),
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", USER: "carol", ...options.env },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const isAscii = (text: string) => [...text].every((c) => c.charCodeAt(0) < 128);

const emptyRepo = () => {
  const dir = mkdtempSync(join(tmpdir(), "rollout-init-"));
  spawnSync("git", ["init", "-q", dir]);
  return dir;
};

describe("rollout init", () => {
  it("scaffolds a rollout, the settings and the workflows that validate, status, and roll back as written", async () => {
    const dir = emptyRepo();
    const init = await rollout(
      ["init", "--id", "checkout-v2", "--stages", "10,50,100", "--channel", "#checkout"],
      {
        cwd: dir,
      },
    );
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    for (const path of [
      ".github/rollouts/checkout-v2.yml",
      ".github/rollout-bot.yml",
      ".github/workflows/rollback.yml",
      ".github/workflows/rollout-deploy.yml",
    ])
      expect(existsSync(join(dir, path)), path).toBe(true);
    expect(await rollout(["validate"], { cwd: dir })).toMatchObject({ code: 0 });
    const status = await rollout(["status", "--json"], { cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({
      id: "checkout-v2",
      percent: 0,
      stages: 3,
      phase: "pending",
    });

    // The workflows parse with GitHub's parser and declare every input the bot dispatches.
    const parser = await loadWorkflowParser();
    const advance = JSON.parse(
      (await rollout(["advance", "checkout-v2", "--dry-run", "--json"], { cwd: dir })).stdout,
    );
    expect(advance.result).toBe("planned");
    for (const name of ["rollback.yml", "rollout-deploy.yml"]) {
      const text = readFileSync(join(dir, ".github/workflows", name), "utf8");
      expect(await workflowTextErrors(parser, name, text)).toEqual([]);
      const inputs = parse(text).on.workflow_dispatch.inputs as Record<string, { required: boolean }>;
      expect(Object.keys(inputs)).toEqual(["rollout", "from", "to", "reason"]);
    }
    const file = parse(readFileSync(join(dir, ".github/rollouts/checkout-v2.yml"), "utf8"));
    expect(file.workflows).toEqual({ rollback: "rollback.yml", on_change: "rollout-deploy.yml" });
    for (const dispatch of advance.plan.dispatches as { inputs: Record<string, string> }[])
      expect(Object.keys(dispatch.inputs).every((k) => ["rollout", "from", "to", "reason"].includes(k))).toBe(
        true,
      );
  });

  it("writes nothing when the answers do not make a valid rollout, and never replaces a rollout file", async () => {
    const dir = emptyRepo();
    const bad = await rollout(["init", "--id", "x", "--stages", "50,25,100"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/stage percentages must increase/);
    expect(existsSync(join(dir, ".github"))).toBe(false);
    expect((await rollout(["init", "--id", "Bad_Id"], { cwd: dir })).code).toBe(2);

    mkdirSync(join(dir, ".github/workflows"), { recursive: true });
    writeFileSync(
      join(dir, ".github/workflows/rollback.yml"),
      "on:\n  workflow_dispatch:\n    inputs:\n      rollout: {}\n",
    );
    const first = await rollout(["init", "--id", "x", "--json"], { cwd: dir });
    expect(JSON.parse(first.stdout)).toMatchObject({
      kept: [".github/workflows/rollback.yml"],
      warnings: [expect.stringContaining("from, to, reason")],
    });
    expect(readFileSync(join(dir, ".github/workflows/rollback.yml"), "utf8")).toContain("rollout: {}");
    const again = await rollout(["init", "--id", "x"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("--force");
  });
});

describe("rollout CLI basics", () => {
  it("--version prints the package version", async () => {
    const result = await rollout(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`rollout-bot ${pkg.version}`);
  });

  it("<command> --help explains that command and exits 0", async () => {
    const status = await rollout(["status", "--help"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^usage: rollout status \[<rollout>\]/);
    const init = await rollout(["init", "--help"]);
    expect(init.stdout).toContain("--stages");
  });

  it("usage errors under --json are JSON on stdout", async () => {
    for (const args of [
      ["--json", "--bogus"],
      ["advance", "--json"],
      ["--json", "status", "--dir", "/nonexistent"],
    ]) {
      const result = await rollout(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toMatchObject({
        error: { code: "USAGE", message: expect.any(String) },
      });
    }
  });

  it("status --dir on a missing directory is an error, not 'no rollouts'", async () => {
    const result = await rollout(["status", "--dir", "/nonexistent"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/nonexistent: no such directory");
    expect(result.stdout).toBe("");
  });

  it("NO_COLOR and TERM=dumb give plain ASCII; JSON keeps its data", async () => {
    const dir = emptyRepo();
    await rollout(["init", "--id", "edge", "--channel", "#edge"], { cwd: dir });
    const fancy = await rollout(["status"], { cwd: dir });
    expect(isAscii(fancy.stdout)).toBe(false); // emoji and bars by default
    for (const env of [{ NO_COLOR: "1" }, { TERM: "dumb" }]) {
      const plain = await rollout(["status"], { cwd: dir, env });
      expect(plain.stdout).toMatch(/^\[green\] edge at 0%/);
      expect(isAscii(plain.stdout)).toBe(true);
    }
    const json = await rollout(["status", "--json"], { cwd: dir, env: { NO_COLOR: "1" } });
    expect(JSON.parse(json.stdout).id).toBe("edge");
  });
});

describe("shell completion", () => {
  const dir = emptyRepo();
  const scaffolded = rollout(["init", "--id", "checkout-v2"], { cwd: dir });

  async function complete(shell: "bash" | "zsh", line: string[]): Promise<string[]> {
    await scaffolded;
    const script = (await rollout(["completion", shell])).stdout;
    const words = ["rollout", ...line];
    const driver =
      shell === "bash"
        ? `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _rollout; printf '%s\\n' "\${COMPREPLY[@]}"`
        : `compadd() { [[ "$1" == -- ]] && shift; printf '%s\\n' "$@"; }; _files() { :; }\n${script}\nwords=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; _rollout`;
    const result = spawnSync(shell, ["-c", driver], { cwd: dir, encoding: "utf8" });
    expect(result.stderr).toBe("");
    return result.stdout.split("\n").filter((w) => w.startsWith(words.at(-1)!) && w !== "");
  }

  for (const shell of ["bash", "zsh"] as const) {
    const available = spawnSync(shell, ["-c", "exit 0"]).status === 0;
    if (!available && process.env.CI) throw new Error(`${shell} missing: .ci/run installs it`);
    it.runIf(available)(`${shell}: commands, options and the checkout's rollout ids`, async () => {
      expect(await complete(shell, ["st"])).toEqual(["status"]);
      expect(await complete(shell, ["--d"])).toEqual(["--dir", "--dry-run"]);
      expect(await complete(shell, ["rollback", "ch"])).toEqual(["checkout-v2"]);
      expect(await complete(shell, ["--dir", ".", "status", ""])).toEqual(["checkout-v2"]);
      expect(await complete(shell, ["completion", "z"])).toEqual(["zsh"]);
    });
  }
});
