import { parseArgs } from "node:util";
import { ConsoleNotifier, silentNotifier } from "../../adapters/console/console-notifier.ts";
import { LocalRepoStore } from "../../adapters/local/local-repo-store.ts";
import { createLogger, silentLogger } from "../../adapters/log/logger.ts";
import { localMetrics } from "../../adapters/prometheus/local-metrics.ts";
import type { CommandContext } from "../../commands/context.ts";
import { runCommand } from "../../commands/run-command.ts";
import { parseCommandTokens } from "../../core/commands/command-grammar.ts";
import { helpText } from "../../core/commands/command-help.ts";
import { isRolloutError } from "../../core/errors.ts";
import type { RepoStore } from "../../ports.ts";
import { exitCodeOf, renderHuman, renderJson } from "./cli-render.ts";

/** `rollout <command>`: the CLI surface. Parses flags, turns the rest into a Command, runs the one command path. */

export const CLI_USAGE = `usage: rollout [options] <command> [args]

options:
  --dir <path>       repository checkout (default: current directory)
  --repo <owner/name> work on GitHub instead of a checkout (needs GITHUB_TOKEN;
                     GITHUB_API_URL for GitHub Enterprise Server)
  --json             machine-readable output
  --dry-run          show the plan of a mutating command without doing it
  --commit           commit the edit with git, with audit trailers
  --to <N|previous>  target percentage for advance / rollback
  --reason <text>    reason for rollback / pause
  --force            advance although bake time or health hold the gate
  --all              with rollback: every active rollout (emergency)
  --actor <name>     who is acting (default: $USER)
  --verbose          log to stderr
  --allow-repo-metrics-url
                     use a Prometheus URL written in a rollout file (metrics.source.url);
                     it gets credentials only from ROLLOUT_METRICS_* variables. Without it,
                     rollout files name a source: default (PROMETHEUS_URL) or one in the
                     file METRICS_SOURCES names

exit codes: 0 done, 1 refused or invalid, 2 usage`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now?: () => Date;
  /** Replaces the local store (tests, and the remote store in a later release). */
  store?: RepoStore;
}

const OPTIONS = {
  dir: { type: "string" },
  repo: { type: "string" },
  json: { type: "boolean" },
  "dry-run": { type: "boolean" },
  commit: { type: "boolean" },
  to: { type: "string" },
  reason: { type: "string" },
  force: { type: "boolean" },
  all: { type: "boolean" },
  actor: { type: "string" },
  verbose: { type: "boolean" },
  "allow-repo-metrics-url": { type: "boolean" },
  notify: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `--repo owner/name`: the GitHub store the Action uses, loaded only when asked for. */
async function remoteStore(
  values: { repo?: string; dir?: string; commit?: boolean; "allow-repo-metrics-url"?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<{ ok: true; store: RepoStore } | { ok: false; message: string }> {
  const { githubRepoStore, parseRepositoryName } = await import("../../adapters/github/github-client.ts");
  const repository = parseRepositoryName(values.repo ?? "");
  if (!repository)
    return { ok: false, message: `--repo must be owner/name, got '${values.repo?.slice(0, 100)}'` };
  if (values.dir !== undefined || values.commit)
    return { ok: false, message: "--repo works on GitHub: --dir and --commit are for a local checkout" };
  const token = env.GITHUB_TOKEN?.trim();
  if (!token)
    return { ok: false, message: "--repo needs GITHUB_TOKEN (a token that can read the repository)" };
  const store = githubRepoStore({
    token,
    repository,
    apiUrl: env.GITHUB_API_URL,
    userAgent: "rollout-bot-cli",
    repoMetricsUrls: values["allow-repo-metrics-url"] ?? false,
  });
  return { ok: true, store };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await runCliUnsafe(argv, io);
  } catch (error) {
    // A bug must still end with a message and a non-zero exit, never a stack trace on a user's screen.
    io.stderr(`✗ internal error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function runCliUnsafe(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${CLI_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.stdout(`${CLI_USAGE}\n\n${helpText()}`);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const tokens = [...positionals];
  if (values.all) tokens.splice(1, 0, "all");
  if (values.to !== undefined) tokens.push("to", values.to);
  if (values.reason !== undefined) tokens.push("--reason", values.reason);
  const command = parseCommandTokens(tokens);
  if (!command.ok) {
    const { message, usage } = command.error;
    io.stderr(usage && !message.includes(usage) ? `${message}\nusage: rollout ${usage}` : message);
    return 2;
  }
  const json = values.json ?? false;
  const remote = io.store || values.repo === undefined ? undefined : await remoteStore(values, io.env);
  if (remote && !remote.ok) {
    io.stderr(`${remote.message}\n\n${CLI_USAGE}`);
    return 2;
  }
  const repoMetricsUrls = values["allow-repo-metrics-url"] ?? false;
  const metrics = localMetrics(io.env, { repoMetricsUrls });
  if (!metrics.ok) {
    io.stderr(`invalid metrics configuration:\n${metrics.problems.map((p) => `  ${p}`).join("\n")}`);
    return 2;
  }
  const ctx: CommandContext = {
    store:
      io.store ??
      remote?.store ??
      new LocalRepoStore(values.dir ?? io.cwd, { commit: values.commit ?? false, repoMetricsUrls }),
    metrics: metrics.metrics,
    notifier: values.notify ? new ConsoleNotifier(io.stdout) : silentNotifier,
    clock: { now: io.now ?? (() => new Date()) },
    logger: values.verbose ? createLogger({ level: "debug" }) : silentLogger,
    actor: values.actor ?? `cli:${io.env.USER ?? io.env.USERNAME ?? "unknown"}`,
    dryRun: values["dry-run"] ?? false,
  };
  try {
    const outcome = await runCommand(ctx, command.command, { force: values.force ?? false });
    io.stdout(json ? JSON.stringify(renderJson(outcome), null, 2) : renderHuman(outcome));
    return exitCodeOf(outcome);
  } catch (error) {
    if (isRolloutError(error)) {
      if (json)
        io.stdout(
          JSON.stringify(
            { error: { code: error.code, message: error.message, details: error.details } },
            null,
            2,
          ),
        );
      else io.stderr([`✗ ${error.message}`, ...error.details.map((d) => `  ${d}`)].join("\n"));
      return error.code === "USAGE" ? 2 : 1;
    }
    io.stderr(`✗ internal error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
