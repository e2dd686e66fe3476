import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "../helpers/examples.ts";

/**
 * The bundled action started the way a GitHub runner starts it: `node dist/action.js` with every
 * input of action.yml as `INPUT_<NAME>` (its default when not given), the runner's `GITHUB_*`
 * variables, and the `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files it reads back afterwards.
 */

export const ACTION = join(ROOT, "dist/action.js");
export const TOKEN = "ghs_fakeTokenForTheActionTests0123456789";

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
}

function defaultInputs(token: string): Record<string, string> {
  const action = parseYaml(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionYaml;
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [
      name,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as the runner sees it
      (spec.default ?? "").replace("${{ github.token }}", token),
    ]),
  );
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as `core.setOutput` writes them. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const block = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(block)) outputs[match[1]!] = match[3]!;
  return outputs;
}

export interface RunOptions {
  repository: string;
  apiUrl: string;
  env?: Record<string, string>;
  /** Files of the job's checkout (GITHUB_WORKSPACE); empty by default, as before actions/checkout. */
  workspace?: Record<string, string>;
  token?: string;
}

export function runAction(inputs: Record<string, string>, options: RunOptions): Promise<ActionRun> {
  const temp = mkdtempSync(join(tmpdir(), "rollout-action-"));
  const workspace = join(temp, "workspace");
  mkdirSync(workspace);
  for (const [path, text] of Object.entries(options.workspace ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), text);
  }
  const outputFile = join(temp, "output");
  const summaryFile = join(temp, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const token = options.token ?? TOKEN;
  const input = { ...defaultInputs(token), ...inputs };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: options.repository,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_ACTOR: "alice",
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: temp,
    ...Object.fromEntries(
      Object.entries(input).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
    ...options.env,
  };
  return new Promise((resolve) => {
    // Async: the in-process fakes keep answering while the action runs.
    execFile(
      process.execPath,
      [ACTION],
      { encoding: "utf8", env, cwd: workspace },
      (error, stdout, stderr) => {
        resolve({
          code: error ? Number(error.code) : 0,
          stdout,
          stderr,
          outputs: parseOutputFile(readFileSync(outputFile, "utf8")),
          summary: readFileSync(summaryFile, "utf8"),
        });
      },
    );
  });
}

/** A stand-in for Prometheus' query API answering every query with one settable value (or no data). */
export async function startPrometheus(): Promise<{
  url: string;
  value: { current: number | undefined };
  queries: string[];
  close: () => Promise<void>;
}> {
  const value = { current: 0.002 as number | undefined };
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const params = new URLSearchParams(body || (req.url ?? "").split("?")[1] || "");
      queries.push(params.get("query") ?? "");
      const result =
        value.current === undefined
          ? []
          : [{ metric: {}, value: [Date.now() / 1000, String(value.current)] }];
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    value,
    queries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
