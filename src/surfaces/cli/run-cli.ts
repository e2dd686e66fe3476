import { parseArgs } from "node:util";
import { runCommand } from "../../commands/run-command.ts";
import type { Services } from "../../commands/services.ts";
import { parseCommandTokens } from "../../core/commands/command-grammar.ts";
import { helpText } from "../../core/commands/command-help.ts";
import { errorMessage, isRolloutError } from "../../core/errors.ts";
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

exit codes: 0 done, 1 refused or invalid, 2 usage`;

/** The flags that choose where the CLI works and how it reports. */
export interface CliTarget {
  dir?: string | undefined;
  repo?: string | undefined;
  commit: boolean;
  notify: boolean;
  verbose: boolean;
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
  notify: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await runCliUnsafe(argv, io);
  } catch (error) {
    // A bug must still end with a message and a non-zero exit, never a stack trace on a user's screen.
    io.stderr(`✗ internal error: ${errorMessage(error)}`);
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
    io.stderr(`${errorMessage(error)}\n\n${CLI_USAGE}`);
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
  const opened = await io.open({
    dir: values.dir,
    repo: values.repo,
    commit: values.commit ?? false,
    notify: values.notify ?? false,
    verbose: values.verbose ?? false,
  });
  if (!opened.ok) {
    io.stderr(`${opened.message}\n\n${CLI_USAGE}`);
    return 2;
  }
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
