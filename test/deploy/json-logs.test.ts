import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { freePort, waitFor } from "../helpers/processes.ts";

/** The server's log: one JSON line per event on stdout, the bot's and Probot's alike, each with `service`. */
describe("server logs", () => {
  it("are JSON lines on stdout with a service name, Probot's included", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const port = await freePort();
    const nowhere = await freePort();
    const child = spawn(process.execPath, ["dist/server.js"], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: "127.0.0.1",
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: "webhook-secret",
        GHE_HOST: `127.0.0.1:${nowhere}`,
        GHE_PROTOCOL: "http",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise((done) => child.on("exit", done));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor("/healthz", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 15_000);
      // A forged delivery: Probot (not our code) logs the refusal.
      const forged = await fetch(`${base}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-github-delivery": "d-1",
          "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
        },
        body: "{}",
      });
      expect(forged.status).toBe(400);
      await waitFor("Probot's line", async () => (stdout.includes('"probot"') ? true : undefined), 5_000);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    const lines = stdout.split("\n").filter((l) => l !== "");
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records)
      expect(record).toMatchObject({ service: "rollout-bot", level: expect.any(String) });
    expect(records.some((r) => r.name === "probot" || String(r.msg).includes("signature"))).toBe(true);
    expect(records.some((r) => r.msg === "rollout-bot listening")).toBe(true);
    expect(stderr).toBe("");
  });
});
