import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { tempRepo } from "../helpers/temp-repo.ts";

/** The CLI as users run it: the built bundle, a real git checkout, real exit codes. */
const CLI = join(import.meta.dirname, "../../dist/cli.js");

/** Async, so the in-process Prometheus stand-in keeps answering while the CLI runs. */
function rollout(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", USER: "carol", ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const repo = () => tempRepo({ [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY });

let prometheus: Server;
let prometheusUrl = "";
const queries: string[] = [];
beforeAll(async () => {
  // A stand-in answering Prometheus' instant-query API: 0.2% for every query.
  prometheus = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", async () => {
      queries.push(new URLSearchParams(body).get("query") ?? "");
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          status: "success",
          data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.002"] }] },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => prometheus.listen(0, "127.0.0.1", resolve));
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
});
afterAll(() => prometheus.close());

describe("rollout CLI", async () => {
  it("validate points at the line and column of each error, exit 1", async () => {
    const dir = tempRepo({
      [ROLLOUT_PATH]: CHECKOUT_PLAN.replace("bake: 2h", "bake: 2 hours").replace(
        "  - percent: 100",
        "  - percnt: 100",
      ),
    });
    const { code, stdout } = await rollout(["validate", "--dir", dir]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${ROLLOUT_PATH}:11:11 `);
    expect(stdout).toMatch(/checkout\.yml:12:5 .*percnt.*did you mean 'percent'/);
  });

  it("validate passes a good file, exit 0", async () => {
    const { code, stdout } = await rollout(["validate", "--dir", repo()]);
    expect([code, stdout.trim()]).toEqual([0, `✓ ${ROLLOUT_PATH}`]);
  });

  it("status --json without a metrics source is yellow with the reason", async () => {
    const { code, stdout } = await rollout(["status", "checkout", "--json", "--dir", repo()]);
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status).toMatchObject({
      id: "checkout",
      percent: 10,
      stage: 1,
      phase: "baking",
      health: { status: "yellow" },
    });
    expect(status.health.reasons[0].text).toBe(
      "error_rate < 1% over the stage (14m): no metrics source".replace(
        "14m",
        status.health.reasons[0].window.slice(16, -1),
      ),
    );
  });

  it("status with PROMETHEUS_URL is green, querying each distinct thing once", async () => {
    queries.length = 0;
    const { code, stdout } = await rollout(["status", "--dir", repo()], { PROMETHEUS_URL: prometheusUrl });
    expect(code).toBe(0);
    expect(stdout).toContain("🟢 checkout at 10% (baking)");
    expect(stdout).toContain("✓ error_rate 0.2% (< 1% over the stage");
    expect(queries).toHaveLength(2);
    expect(
      queries.some((q) => q.startsWith("max_over_time(((sum(rate(errors[5m])) / sum(rate(requests[5m]))))[")),
    ).toBe(true);
  });

  it("advance --dry-run shows the diff and changes nothing", async () => {
    const dir = repo();
    const { code, stdout } = await rollout(["advance", "checkout", "--dry-run", "--force", "--dir", dir]);
    expect(code).toBe(0);
    expect(stdout).toContain("dry run — would advance checkout: 10% → 50%");
    expect(stdout).toContain("-  percent: 10");
    expect(stdout).toContain("+  percent: 50");
    expect(stdout).toContain("+canary_percent = 50.0");
    expect(readFileSync(join(dir, ROLLOUT_PATH), "utf8")).toBe(CHECKOUT_PLAN);
  });

  it("advance --dry-run lists the flags it would set in flag services", async () => {
    const withFlags = CHECKOUT_PLAN.replace(
      "\nstate:",
      "\nflags:\n  - { target: unleash-prod, flag: checkout, environment: production }\n  - { target: admin, flag: ENABLE_CHECKOUT, value: { stages: { 50: true } } }\nstate:",
    );
    expect(withFlags).not.toBe(CHECKOUT_PLAN);
    const dir = tempRepo({ [ROLLOUT_PATH]: withFlags, "config.py": CONFIG_PY });
    const { code, stdout } = await rollout(["advance", "checkout", "--dry-run", "--force", "--dir", dir]);
    expect(code).toBe(0);
    expect(stdout).toContain("  would set unleash-prod checkout@production to 50%\n");
    expect(stdout).toContain("  would set admin ENABLE_CHECKOUT to true\n");
  });

  it("advance is refused with reasons and exit 1 when the gate is closed", async () => {
    const { code, stdout } = await rollout(["advance", "checkout", "--dir", repo()]);
    expect(code).toBe(1);
    expect(stdout).toContain("✗ refused: checkout: the gate is closed");
    expect(stdout).toContain("no metrics source");
  });

  it("rollback --commit commits with audit trailers and history reads them back", async () => {
    const dir = repo();
    const done = await rollout([
      "rollback",
      "checkout",
      "--to",
      "0",
      "--reason",
      "error spike",
      "--commit",
      "--dir",
      dir,
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("✓ rollback checkout: 10% → 0%");
    expect(done.stdout).toContain("⚠ rollback.yml: local checkout: workflow rollback.yml not dispatched");
    const log = execFileSync("git", ["log", "-1", "--format=%B"], { cwd: dir, encoding: "utf8" });
    expect(log).toContain("Rollout-Actor: cli:carol\nRollout-Reason: error spike\n");
    const history = await rollout(["history", "checkout", "--json", "--dir", dir]);
    const parsed = JSON.parse(history.stdout);
    expect(parsed.entries.map((e: { subject: string }) => e.subject)).toEqual([
      "rollout(checkout): rollback 10% → 0%",
      "initial",
    ]);
    expect(parsed.entries[0].audit).toMatchObject({
      action: "rollback",
      from: 10,
      to: 0,
      actor: "cli:carol",
      reason: "error spike",
    });
    const human = await rollout(["history", "checkout", "--dir", dir]);
    expect(human.stdout).toMatch(/rollback 10% → 0% by cli:carol — error spike/);
  });

  it("exit 2 on usage errors, with the usage line", async () => {
    const { code, stderr } = await rollout(["advnce", "checkout"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Did you mean 'advance'?");
  });

  it("exit 1 on an unknown rollout, suggesting the closest", async () => {
    const { code, stderr } = await rollout(["status", "checkot", "--dir", repo()]);
    expect(code).toBe(1);
    expect(stderr).toContain("Did you mean 'checkout'?");
  });

  it("lists rollouts with a progress bar", async () => {
    const { code, stdout } = await rollout(["list", "--dir", repo()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^🟡 checkout +█░+ +10% +0 › \[10\] › 50 › 100 +baking$/m);
  });
});
