#!/usr/bin/env node
import { createInterface } from "node:readline/promises";
import { runCli } from "../surfaces/cli/run-cli.ts";

/** `rollout …`: the CLI entry. Questions (`rollout init`) are asked only on a terminal. */
const prompt = process.stdin.isTTY
  ? async (question: string, fallback: string) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(`${question}${fallback ? ` [${fallback}]` : ""}: `);
      } finally {
        rl.close();
      }
    }
  : undefined;

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
  ...(prompt ? { prompt } : {}),
});
process.exitCode = code;
