import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, waitFor } from "../helpers/processes.ts";

/** `.env` in the working directory is read at start; the process environment wins over it. */
const server = join(import.meta.dirname, "../../dist/server.js");

function start(cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [server], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, stdout: () => stdout };
}

describe(".env", () => {
  it("is loaded when present, and variables already set win", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-env-"));
    const port = await freePort();
    writeFileSync(
      join(dir, ".env"),
      `PORT=${port}\nHOST=127.0.0.1\nALERT_WEBHOOK_TOKEN=from-the-env-file-0123\nLOG_LEVEL=debug\n`,
    );
    const run = start(dir, { LOG_LEVEL: "info" });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor("/healthz", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 15_000);
      const alert = (token: string) =>
        fetch(`${base}/alerts/generic`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            rollout: "nope",
            repo: "acme/shop",
            severity: "critical",
            status: "firing",
          }),
        });
      expect((await alert("from-the-env-file-0123")).status).toBe(202);
      expect((await alert("another-token-0123456")).status).toBe(401);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
    const lines = run
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.some((l) => l.msg === "loaded .env")).toBe(true);
    expect(lines.some((l) => l.level === "debug")).toBe(false); // LOG_LEVEL=info from the environment won
  });

  it("a bad value stops the start with a JSON line naming the variable, not its value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-env-"));
    writeFileSync(join(dir, ".env"), "EVALUATION_CRON=99 * * * FOO\nALERT_WEBHOOK_TOKEN=hunter2\n");
    const run = start(dir, {});
    expect(await run.exited).toBe(2);
    const line = JSON.parse(run.stdout().trim()) as { msg: string; problems: string[] };
    expect(line.msg).toBe("invalid configuration");
    expect(line.problems.join("\n")).toMatch(/EVALUATION_CRON: .*minute/);
    expect(run.stdout()).not.toContain("hunter2");
  });
});
