import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Instruction, parseDockerfile } from "../helpers/dockerfile.ts";
import { freshClone } from "../helpers/fresh-clone.ts";
import { freePort, waitFor } from "../helpers/processes.ts";

/**
 * The production path without a Docker engine: the Dockerfile's build stage is replayed on a fresh
 * clone (npm ci, build, prune to production dependencies), then its run stage's COPY lines assemble
 * the image's files, which must start, answer /healthz, pass the HEALTHCHECK and stop on SIGTERM.
 */

const dirs: string[] = [];
let clone = "";
let build = "";
let image = "";
const stages = parseDockerfile(readFileSync(join(import.meta.dirname, "../../Dockerfile"), "utf8"));
const buildStage = stages.find((s) => s.name === "build")!;
const runStage = stages.at(-1)!;
const of = (keyword: string) => runStage.instructions.filter((i) => i.keyword === keyword);

/** COPY <src>… <dest> relative to WORKDIR (the stage's directory here; `/app/x` of a stage is `x`). */
function copy(instruction: Instruction, from: string, to: string): void {
  const workdir = `${buildStage.instructions.find((i) => i.keyword === "WORKDIR")?.args[0]}/`;
  const sources = instruction.args
    .slice(0, -1)
    .map((s) => (s.startsWith(workdir) ? s.slice(workdir.length) : s));
  const dest = instruction.args.at(-1)!;
  for (const source of sources) {
    const target = dest.endsWith("/") && !source.endsWith("/") ? join(to, dest, source) : join(to, dest);
    mkdirSync(resolve(target, ".."), { recursive: true });
    cpSync(join(from, source), target, { recursive: true });
  }
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? prefix === "" && entry.name === "node_modules"
        ? ["node_modules/"]
        : listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

interface Started {
  child: ChildProcess;
  lines: string[];
  base: string;
  exited: Promise<number | null>;
}

async function startServer(command: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const port = await freePort();
  const child = spawn(command[0]!, command.slice(1), {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: SIGTERM reaches npm and the node it started, as in a pod
  });
  const lines: string[] = [];
  let rest = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (rest + chunk.toString("utf8")).split("\n");
    rest = parts.pop() ?? "";
    lines.push(...parts);
  });
  child.stderr?.on("data", (chunk: Buffer) => lines.push(`stderr: ${chunk.toString("utf8")}`));
  // "close", not "exit": npm dies of the signal at once, the server it started (holding the same
  // pipes) logs its shutdown after; "close" waits for every holder of stdout.
  const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  const base = `http://127.0.0.1:${port}`;
  await waitFor("/healthz", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 20_000);
  return { child, lines, base, exited };
}

async function stop(started: Started): Promise<number | null> {
  if (started.child.pid) process.kill(-started.child.pid, "SIGTERM");
  return started.exited;
}

beforeAll(() => {
  clone = freshClone();
  build = mkdtempSync(join(tmpdir(), "rollout-image-build-"));
  image = mkdtempSync(join(tmpdir(), "rollout-image-"));
  dirs.push(clone, build, image);
  for (const instruction of buildStage.instructions) {
    if (instruction.keyword === "COPY") copy(instruction, clone, build);
    if (instruction.keyword === "RUN")
      execFileSync("sh", ["-c", instruction.text], {
        cwd: build,
        // The npm cache this machine already has: the same packages, fetched once.
        env: { ...process.env, npm_config_prefer_offline: "true", CI: "true" },
        stdio: "pipe",
      });
  }
  for (const instruction of of("COPY")) copy(instruction, instruction.flags.from ? build : clone, image);
}, 300_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000); // node_modules of two installs: slow to delete on a busy machine

describe("production install (the Dockerfile's build stage on a fresh clone)", () => {
  it("keeps production dependencies only", () => {
    expect(existsSync(join(build, "node_modules/probot"))).toBe(true);
    for (const dev of ["esbuild", "vitest", "typescript", "@octokit/openapi"])
      expect(existsSync(join(build, "node_modules", dev)), dev).toBe(false);
  });

  it("`npm start` serves /healthz without rebuilding, logging JSON lines with a service name", async () => {
    const server = await startServer(["npm", "start", "--silent"], build, {});
    expect(await (await fetch(`${server.base}/healthz`)).json()).toEqual({ status: "ok" });
    await stop(server); // npm itself dies of the signal; the server's own exit code is checked below
    const lines = server.lines.filter((l) => l.trim() !== "");
    expect(lines.at(-1)).toContain("shutting down");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line), line).toMatchObject({ service: "rollout-bot" });
  });
});

describe("the image's files (the run stage's COPY lines)", () => {
  it("hold the bundles, production dependencies and the App manifest, and no sources", () => {
    const files = listFiles(image);
    expect(files).toEqual(
      expect.arrayContaining(["package.json", "app.yml", "dist/server.js", "node_modules/"]),
    );
    // Declarations (.d.ts of the library entries) are not sources.
    const sources = files.filter(
      (f) => (f.endsWith(".ts") && !f.endsWith(".d.ts")) || f.startsWith("src/") || f === ".env",
    );
    expect(sources).toEqual([]);
    expect(existsSync(join(image, "node_modules/esbuild"))).toBe(false);
  });

  it("run as a non-root user, with tini as PID 1 forwarding SIGTERM", () => {
    const user = of("USER").at(-1)?.args[0];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(of("ENTRYPOINT").at(-1)?.args).toEqual(["/usr/bin/tini", "--"]);
    expect(of("RUN").some((r) => /apt-get install .*\btini\b/.test(r.text))).toBe(true);
  });

  it("start with the image's CMD, pass its HEALTHCHECK, and exit 0 on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const e of of("ENV")) for (const [, k, v] of e.text.matchAll(/(\w+)=(\S+)/g)) env[k!] = v;
    const server = await startServer(of("CMD").at(-1)!.args, image, env);
    const check = of("HEALTHCHECK").at(-1)!;
    expect(check.flags.interval).toBeDefined();
    const port = new URL(server.base).port;
    const [bin, ...args] = check.args;
    execFileSync(bin!, args, { env: { ...process.env, PORT: port }, timeout: 10_000 }); // throws unless exit 0
    expect(await stop(server)).toBe(0);
    const health = spawn(bin!, args, { env: { ...process.env, PORT: port } });
    // …and fails once the server is gone: it checks something.
    expect(await new Promise((done) => health.on("exit", done))).toBe(1);
  });
});
