// `npm start` cold start: from spawning the command to the first 200 on /healthz, with the GitHub App
// configured (pointed at an address nothing listens on: start-up must not wait for GitHub) and with
// Slack configured too; beside `node dist/server.js` directly and a bare `node -e` HTTP server
// answering /healthz (the runtime's own floor), measured in the same run.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../test/helpers/processes.ts";
import { PRIVATE_KEY, ROOT } from "./lib/server-process.ts";
import { load, spread } from "./lib/stats.ts";

const RUNS = Number(process.env.RUNS ?? 7);

async function coldStart(command: string, args: string[], extra: Record<string, string> = {}) {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_ID: "1",
    PRIVATE_KEY,
    WEBHOOK_SECRET: "cold-start-secret",
    GHE_HOST: "127.0.0.1:9",
    GHE_PROTOCOL: "http",
    ALERT_WEBHOOK_TOKEN: "cold-start-alert-token-0123456789",
    LOG_LEVEL: "warn",
    ...extra,
  };
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: "ignore",
    detached: true,
  });
  try {
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null)
        throw new Error(`${command} ${args.join(" ")} exited with ${child.exitCode}`);
      if (performance.now() - started > 30_000) throw new Error("no /healthz within 30 s");
      await sleep(5);
    }
  } finally {
    // npm runs the server as its child: end the whole group.
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    await sleep(100);
  }
}

const bare = `require("node:http").createServer((q,s)=>s.end("ok")).listen(process.env.PORT,"127.0.0.1")`;
const slack = {
  SLACK_BOT_TOKEN: "xoxb-cold-start",
  SLACK_SIGNING_SECRET: "cold-start-signing-secret",
  SLACK_API_URL: "http://127.0.0.1:9/api/",
};
const figures: Record<string, number[]> = {
  "node -e (bare HTTP server, baseline)": [],
  "node dist/server.js": [],
  "node --enable-source-maps dist/server.js": [],
  "npm start": [],
  "npm start, Slack configured": [],
};
for (let i = 0; i < RUNS; i++) {
  figures["node -e (bare HTTP server, baseline)"]!.push(await coldStart(process.execPath, ["-e", bare]));
  figures["node dist/server.js"]!.push(await coldStart(process.execPath, ["dist/server.js"]));
  figures["node --enable-source-maps dist/server.js"]!.push(
    await coldStart(process.execPath, ["--enable-source-maps", "dist/server.js"]),
  );
  figures["npm start"]!.push(await coldStart("npm", ["start", "--silent"]));
  figures["npm start, Slack configured"]!.push(await coldStart("npm", ["start", "--silent"], slack));
}
console.log(`cold start to /healthz 200, ${RUNS} runs each (min/median/max); ${load()}`);
for (const [name, values] of Object.entries(figures))
  console.log(`  ${name.padEnd(42)} ${spread(values)} ms`);
