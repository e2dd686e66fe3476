import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { issueAlertToken } from "../../commands/alert-token.ts";
import { runCommand } from "../../commands/run-command.ts";
import type { Services } from "../../commands/services.ts";
import { VERBS, type Verb } from "../../core/commands/command.ts";
import { parseCommandTokens } from "../../core/commands/command-grammar.ts";
import { helpText } from "../../core/commands/command-help.ts";
import { errorMessage, isRolloutError } from "../../core/errors.ts";
import type { RepoStore } from "../../ports.ts";
import { COMPLETION_USAGE, completionScript } from "./cli-completion.ts";
import { exitCodeOf, renderHuman, renderJson } from "./cli-render.ts";
import { CLI_VERSION } from "./cli-version.ts";
import { INIT_USAGE, renderInit, runInit } from "./init-command.ts";
import { toPlainText, wantsPlainText } from "./plain-text.ts";

/** `rollout <command>`: the CLI surface. Parses flags, turns the rest into a Command, runs the one command path. */

export const CLI_USAGE = `usage: rollout [options] <command> [args]

  init                 scaffold .github/rollouts, the settings and the workflows (rollout init --help)
  completion bash|zsh  shell completion script
  alert-token <owner/name>  the bearer token of one repository's alerts (from ALERT_TOKEN_KEY)
  <command> --help     details of one command

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
  --notify           print the status messages a channel would get
  --version          print the version

exit codes: 0 done, 1 refused or invalid, 2 usage`;

/** The flags that choose where the CLI works and how it reports. */
export interface CliTarget {
  dir?: string | undefined;
  repo?: string | undefined;
  commit: boolean;
  notify: boolean;
  verbose: boolean;
  /** Opted in: metrics URLs in the repository's files are used (with ROLLOUT_METRICS_* credentials only). */
  repoMetricsUrls: boolean;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The repository and the services for these flags (src/main/cli.ts wires the adapters). */
  open: (
    target: CliTarget,
  ) => Promise<{ ok: true; store: RepoStore; services: Services } | { ok: false; message: string }>;
  /** Asks a question on a terminal (`rollout init`); absent when stdin is not a TTY. */
  prompt?: (question: string, fallback: string) => Promise<string>;
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
  version: { type: "boolean", short: "V" },
  // rollout init
  id: { type: "string" },
  stages: { type: "string" },
  bake: { type: "string" },
  channel: { type: "string" },
  yes: { type: "boolean", short: "y" },
} as const;

/** What shell completion offers: the commands and the long options (those that take a value). */
const COMMAND_WORDS = [...VERBS, "init", "completion", "alert-token"];
const OPTION_WORDS = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, o]) => [name, o.type === "string"]),
);

function isVerb(word: string | undefined): word is Verb {
  return (VERBS as readonly string[]).includes(word ?? "");
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await runCliUnsafe(argv, io);
  } catch (error) {
    // A bug must still end with a message and a non-zero exit, never a stack trace on a user's screen.
    io.stderr(`✗ internal error: ${errorMessage(error)}`);
    return 1;
  }
}

async function runCliUnsafe(argv: string[], rawIo: CliIo): Promise<number> {
  const json = argv.includes("--json");
  // NO_COLOR / TERM=dumb: ASCII only for what people read; JSON keeps the data as it is.
  const plain = wantsPlainText(rawIo.env);
  const io: CliIo = plain
    ? {
        ...rawIo,
        stdout: (t) => rawIo.stdout(json ? t : toPlainText(t)),
        stderr: (t) => rawIo.stderr(toPlainText(t)),
      }
    : rawIo;
  /** A usage error (exit 2): JSON on stdout under --json, else the message and the usage on stderr. */
  const usageError = (message: string, usage?: string) => {
    if (json) io.stdout(JSON.stringify({ error: { code: "USAGE", message, usage: usage ?? null } }, null, 2));
    else io.stderr(usage ? `${message}\n\n${usage}` : message);
    return 2;
  };
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    return usageError(errorMessage(error), CLI_USAGE);
  }
  const { values, positionals } = parsed;
  const [first] = positionals;
  if (values.version || first === "version") {
    io.stdout(CLI_VERSION);
    return 0;
  }
  if (values.help && first !== undefined && first !== "help") {
    if (first === "init") io.stdout(INIT_USAGE);
    else if (first === "completion") io.stdout(COMPLETION_USAGE);
    else if (isVerb(first))
      io.stdout(`usage: rollout ${helpText(first)}\n\n${CLI_USAGE.slice(CLI_USAGE.indexOf("options:"))}`);
    else return usageError(`unknown command '${first.slice(0, 40)}'`, CLI_USAGE);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    io.stdout(`${CLI_USAGE}\n\n${helpText()}`);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  if (values.dir !== undefined && !isDirectory(resolve(io.cwd, values.dir)))
    return usageError(`--dir ${values.dir.slice(0, 200)}: no such directory`);
  if (first === "alert-token") {
    const key = io.env.ALERT_TOKEN_KEY?.trim();
    if (!key) return usageError("alert-token needs ALERT_TOKEN_KEY: the same key the server has");
    try {
      const token = issueAlertToken(key, positionals[1] ?? "");
      io.stdout(json ? JSON.stringify({ repo: positionals[1], token }, null, 2) : token);
      return 0;
    } catch (error) {
      return usageError(`alert-token: ${errorMessage(error)}`, "usage: rollout alert-token <owner/name>");
    }
  }
  if (first === "completion") {
    const script = completionScript(positionals[1] ?? "", { commands: COMMAND_WORDS, options: OPTION_WORDS });
    if (!script) return usageError(`completion: expected bash or zsh`, COMPLETION_USAGE);
    io.stdout(script);
    return 0;
  }
  if (first === "init") {
    const outcome = await runInit(values, { cwd: io.cwd, prompt: json ? undefined : io.prompt });
    if (!outcome.ok) {
      if (outcome.usage) return usageError(outcome.message, INIT_USAGE);
      if (json)
        io.stdout(
          JSON.stringify(
            { error: { code: "INVALID", message: outcome.message, details: outcome.details } },
            null,
            2,
          ),
        );
      else io.stderr([`✗ ${outcome.message}`, ...outcome.details.map((d) => `  ${d}`)].join("\n"));
      return 1;
    }
    io.stdout(json ? JSON.stringify(outcome, null, 2) : renderInit(outcome));
    return 0;
  }
  const tokens = [...positionals];
  if (values.all) tokens.splice(1, 0, "all");
  if (values.to !== undefined) tokens.push("to", values.to);
  if (values.reason !== undefined) tokens.push("--reason", values.reason);
  const command = parseCommandTokens(tokens);
  if (!command.ok) {
    const { message, usage } = command.error;
    return usageError(usage && !message.includes(usage) ? `${message}\nusage: rollout ${usage}` : message);
  }
  const opened = await io.open({
    dir: values.dir,
    repo: values.repo,
    commit: values.commit ?? false,
    notify: values.notify ?? false,
    verbose: values.verbose ?? false,
    repoMetricsUrls: values["allow-repo-metrics-url"] ?? false,
  });
  if (!opened.ok) return usageError(opened.message, CLI_USAGE);
  const request = {
    command: command.command,
    // Whoever holds the checkout (or the token) can change the files anyway: trusted, as git is.
    principal: {
      kind: "local" as const,
      user: values.actor ?? `cli:${io.env.USER ?? io.env.USERNAME ?? "unknown"}`,
    },
    scope: opened.store,
    dryRun: values["dry-run"] ?? false,
    force: values.force ?? false,
  };
  try {
    const outcome = await runCommand(opened.services, request);
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
    io.stderr(`✗ internal error: ${errorMessage(error)}`);
    return 1;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
