import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startRecorder } from "../helpers/attacker.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { tempRepo } from "../helpers/temp-repo.ts";

/**
 * Issue 11, finding 1, the CLI half: on an untrusted checkout, a rollout file naming a URL and
 * `bearer_token_env: AWS_SECRET_ACCESS_KEY` sent the user's AWS secret there. The CLI runs with its
 * user's environment: a URL in the file is used only with --allow-repo-metrics-url, and then only
 * ROLLOUT_METRICS_* variables are handed to it.
 */

const CLI = join(import.meta.dirname, "../../dist/cli.js");
const AWS = "aws-secret-0123456789";

function rollout(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", USER: "carol", AWS_SECRET_ACCESS_KEY: AWS, ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const withSource = (source: string) =>
  CHECKOUT_PLAN.replace("metrics:\n", `metrics:\n  source:\n${source.replace(/^/gm, "    ")}\n`);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("the CLI and a rollout file naming a metrics URL", () => {
  it("refuses it without --allow-repo-metrics-url, with file:line, and sends nothing", async () => {
    const attacker = await startRecorder();
    closers.push(attacker.close);
    const dir = tempRepo({
      [ROLLOUT_PATH]: withSource(`url: ${attacker.url}\nbearer_token_env: AWS_SECRET_ACCESS_KEY`),
      "config.py": CONFIG_PY,
    });
    const result = await rollout(["status", "checkout", "--dir", dir], {});
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(
      /checkout\.yml:4:\d+ metrics\.source: name a metrics source the operator defines/,
    );
    expect(attacker.received).toEqual([]);
  });

  it("with --allow-repo-metrics-url still hands it no variable outside ROLLOUT_METRICS_*", async () => {
    const attacker = await startRecorder();
    closers.push(attacker.close);
    const dir = tempRepo({
      [ROLLOUT_PATH]: withSource(`url: ${attacker.url}\nbearer_token_env: AWS_SECRET_ACCESS_KEY`),
      "config.py": CONFIG_PY,
    });
    const result = await rollout(["status", "checkout", "--dir", dir, "--allow-repo-metrics-url"], {});
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(
      /checkout\.yml:5:\d+ metrics\.source\.bearer_token_env: must name a ROLLOUT_METRICS_\* variable/,
    );
    expect(attacker.received).toEqual([]);
  });

  it("with --allow-repo-metrics-url uses the URL with the ROLLOUT_METRICS_* token the file names", async () => {
    const prometheus = await startRecorder();
    closers.push(prometheus.close);
    const dir = tempRepo({
      [ROLLOUT_PATH]: withSource(`url: ${prometheus.url}\nbearer_token_env: ROLLOUT_METRICS_TOKEN`),
      "config.py": CONFIG_PY,
    });
    const result = await rollout(["status", "checkout", "--dir", dir, "--allow-repo-metrics-url", "--json"], {
      ROLLOUT_METRICS_TOKEN: "user-token",
    });
    expect(result.stderr).toBe("");
    expect(prometheus.received.length).toBeGreaterThan(0);
    expect(prometheus.received.every((r) => r.headers.authorization === "Bearer user-token")).toBe(true);
    expect(prometheus.everything()).not.toContain(AWS);
  });

  it("names a source from the user's METRICS_SOURCES file; an unknown name is a reason, not a request", async () => {
    const prometheus = await startRecorder();
    closers.push(prometheus.close);
    const dir = tempRepo({
      [ROLLOUT_PATH]: withSource("").replace("  source:\n", "  source: team\n"),
      "config.py": CONFIG_PY,
    });
    const sources = join(dir, "sources.yml");
    writeFileSync(
      sources,
      `sources:\n  team:\n    url: ${prometheus.url}\n    bearer_token_env: TEAM_TOKEN\n`,
    );
    const ok = await rollout(["status", "checkout", "--dir", dir, "--json"], {
      METRICS_SOURCES: sources,
      TEAM_TOKEN: "team-token",
    });
    expect(ok.stderr).toBe("");
    expect(prometheus.received[0]?.headers.authorization).toBe("Bearer team-token");
    const unknown = await rollout(["status", "checkout", "--dir", dir, "--json"], {});
    expect(unknown.stdout).toContain("no metrics source 'team' for");
  });
});
