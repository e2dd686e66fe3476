import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { freePort, waitFor } from "../helpers/processes.ts";
import { deliver } from "../helpers/webhooks.ts";

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
        LOG_LEVEL: "debug",
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
      // A signed ping: Probot (not our code) logs its receipt at debug level.
      const ping = await deliver(
        `${base}/api/github/webhooks`,
        "ping",
        { zen: "x", hook_id: 1 },
        "webhook-secret",
      );
      expect(ping.status).toBe(200);
      // A forged delivery never reaches Probot: the server refuses it first, and never logs its body.
      const forged = await deliver(`${base}/api/github/webhooks`, "ping", { zen: "y" }, "not-the-secret");
      expect(forged.status).toBe(401);
      await waitFor("Probot's line", async () => (stdout.includes('"probot"') ? true : undefined), 5_000);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    const lines = stdout.split("\n").filter((l) => l !== "");
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records)
      expect(record).toMatchObject({ service: "rollout-bot", level: expect.any(String) });
    expect(records.some((r) => r.name === "probot" && String(r.msg).includes("ping event received"))).toBe(
      true,
    );
    expect(records.some((r) => r.msg === "rollout-bot listening")).toBe(true);
    expect(stderr).toBe("");
  });
});
