#!/usr/bin/env node
import { createInterface } from "node:readline/promises";
import { ConsoleNotifier, silentNotifier } from "../adapters/console/console-notifier.ts";
import { loadFlagTargets } from "../adapters/flags/flag-target-registry.ts";
import { LocalRepoStore } from "../adapters/local/local-repo-store.ts";
import { createLogger, silentLogger } from "../adapters/log/logger.ts";
import { localMetrics } from "../adapters/prometheus/local-metrics.ts";
import type { RepoStore } from "../ports.ts";
import { type CliIo, runCli } from "../surfaces/cli/run-cli.ts";
import { localServices } from "./coordination.ts";

/** The `rollout` command: the CLI surface on a local checkout, or on GitHub with `--repo`. */

const env = process.env;
const stdout = (text: string) => process.stdout.write(`${text}\n`);

/** `--repo owner/name`: the GitHub store the Action uses, loaded only when asked for. */
async function remoteStore(
  target: Parameters<CliIo["open"]>[0],
): Promise<{ ok: true; store: RepoStore } | { ok: false; message: string }> {
  const { githubRepoStore, parseRepositoryName } = await import("../adapters/github/github-client.ts");
  const repository = parseRepositoryName(target.repo ?? "");
  if (!repository)
    return { ok: false, message: `--repo must be owner/name, got '${target.repo?.slice(0, 100)}'` };
  if (target.dir !== undefined || target.commit)
    return { ok: false, message: "--repo works on GitHub: --dir and --commit are for a local checkout" };
  const token = env.GITHUB_TOKEN?.trim();
  if (!token)
    return { ok: false, message: "--repo needs GITHUB_TOKEN (a token that can read the repository)" };
  return {
    ok: true,
    store: githubRepoStore({ token, repository, apiUrl: env.GITHUB_API_URL, userAgent: "rollout-bot-cli" }),
  };
}

const open: CliIo["open"] = async (target) => {
  const remote = target.repo === undefined ? undefined : await remoteStore(target);
  if (remote && !remote.ok) return remote;
  const { repoMetricsUrls } = target;
  const store =
    remote?.store ??
    new LocalRepoStore(target.dir ?? process.cwd(), { commit: target.commit, repoMetricsUrls });
  const metrics = localMetrics(env, { repoMetricsUrls });
  if (!metrics.ok)
    return {
      ok: false,
      message: `invalid metrics configuration:\n${metrics.problems.map((p) => `  ${p}`).join("\n")}`,
    };
  const services = localServices({
    flags: await loadFlagTargets(process.env),
    metrics: metrics.metrics,
    notifier: target.notify ? new ConsoleNotifier(stdout) : silentNotifier,
    clock: { now: () => new Date() },
    logger: target.verbose ? createLogger({ level: "debug" }) : silentLogger,
  });
  return { ok: true, store, services };
};

/** Questions (`rollout init`) are asked only on a terminal. */
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
  stdout,
  stderr: (text) => process.stderr.write(`${text}\n`),
  env,
  cwd: process.cwd(),
  open,
  ...(prompt ? { prompt } : {}),
});
process.exitCode = code;
