import type { LoadedRollout } from "../../commands/load-repo.ts";
import type { CommandOutcome } from "../../commands/run-command.ts";
import { runCommand } from "../../commands/run-command.ts";
import type { Services } from "../../commands/services.ts";
import { type Principal, VERB_NEEDS } from "../../core/commands/authorize.ts";
import type { Command } from "../../core/commands/command.ts";
import { parseCommandTokens } from "../../core/commands/command-grammar.ts";
import type { Settings } from "../../core/config/settings-schema.ts";
import { errorMessage } from "../../core/errors.ts";
import { lastOccurrence, statusSchedule } from "../../core/rollout/status-schedule.ts";
import type { Logger, RepoStore } from "../../ports.ts";
import { renderHuman } from "../cli/cli-render.ts";
import { describeFailure } from "../describe-failure.ts";
import { type ActionInputs, commandTokens, parseActionInputs } from "./action-inputs.ts";
import { actionOutputs, diagnosticsOf, failureOf, warningsOf } from "./action-outputs.ts";
import { renderFailureSummary, renderSummary } from "./action-summary.ts";

/**
 * The Action, free of `@actions/core`: inputs → the one command path → outputs, annotations, job
 * summary. The entry (action-main.ts) supplies the runner's side of each of these.
 */

export interface ActionIo {
  env: NodeJS.ProcessEnv;
  /** Masks a value in the run's log from here on. */
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  /** An error annotation on a line of a file. */
  annotate(message: string, at: { file: string; line: number; column: number }): void;
  warning(message: string): void;
  info(message: string): void;
  summary(markdown: string): Promise<void>;
  logger: Logger;
  /** The repository and the services for these inputs (src/main/action.ts wires the adapters). */
  open(
    inputs: ActionInputs,
    command: Command,
  ): Promise<{ store: RepoStore; services: Services; note?: string }>;
}

export type ActionResult = { ok: true; outcome: CommandOutcome } | { ok: false; failure: string };

const SECRET_INPUTS = ["INPUT_GITHUB-TOKEN", "INPUT_SLACK-TOKEN"] as const;

/**
 * Who the command runs as. A `schedule:` workflow is the bot's own automation. Otherwise a mutating
 * verb (`tick` included, which may advance or roll back) is checked against the person who started
 * the run: the workflow's token can write, but a run triggered by someone who may not (a comment, a
 * dispatch) must not borrow that. Reading needs only the token the job already has.
 */
function principalOf(command: Command, inputs: ActionInputs): Principal {
  if (inputs.event === "schedule") return { kind: "automation", name: "rollout-bot" };
  if (VERB_NEEDS[command.verb] === "read" || inputs.actor === undefined)
    return { kind: "local", user: inputs.actor ?? "github-actions" };
  return { kind: "github", login: inputs.actor };
}

/** A `schedule:` workflow runs every `interval`: status is due when the rollout's own schedule fired within it. */
function statusDueWithin(inputs: ActionInputs, now: Date) {
  const windowMs = inputs.intervalSeconds * 1000;
  return (rollout: LoadedRollout, settings: Settings) => {
    const last = lastOccurrence(statusSchedule(rollout.file, settings), now);
    return last !== undefined && now.getTime() - last.getTime() < windowMs;
  };
}

function report(outcome: CommandOutcome, io: ActionIo): string | undefined {
  const outputs = actionOutputs(outcome);
  for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value);
  for (const d of diagnosticsOf(outcome))
    io.annotate(d.message, { file: d.file, line: d.line, column: d.column });
  for (const warning of warningsOf(outcome)) io.warning(warning);
  io.info(renderHuman(outcome));
  return failureOf(outcome);
}

export async function runAction(io: ActionIo): Promise<ActionResult> {
  // Masked before anything can print them, even when the rest of the inputs are wrong.
  for (const name of SECRET_INPUTS) {
    const value = io.env[name]?.trim();
    if (value) io.setSecret(value);
  }
  const parsed = parseActionInputs(io.env);
  if (!parsed.ok)
    return { ok: false, failure: `invalid inputs:\n${parsed.problems.map((p) => `  · ${p}`).join("\n")}` };
  const { inputs } = parsed;
  const { tokens, ignored } = commandTokens(inputs);
  for (const name of ignored) io.warning(`input ${name} is ignored by ${inputs.command}`);
  const command = parseCommandTokens(tokens);
  if (!command.ok) {
    const { message, usage } = command.error;
    return {
      ok: false,
      failure: usage && !message.includes(usage) ? `${message}\nusage: ${usage}` : message,
    };
  }

  const repositoryName = `${inputs.repository.owner}/${inputs.repository.repo}`;
  const summaryContext = { command: inputs.command, repository: repositoryName, dryRun: inputs.dryRun };
  const failed = async (failure: string): Promise<ActionResult> => {
    io.setOutput("changed", "false");
    await io.summary(renderFailureSummary(failure, summaryContext)).catch(() => undefined);
    return { ok: false, failure };
  };
  try {
    const { store, services, note } = await io.open(inputs, command.command);
    if (note) io.info(note);
    const outcome = await runCommand(
      { ...services, logger: services.logger.child({ repo: repositoryName, command: inputs.command }) },
      {
        command: command.command,
        principal: principalOf(command.command, inputs),
        scope: store,
        dryRun: inputs.dryRun,
        statusDue: statusDueWithin(inputs, services.clock.now()),
      },
    );
    const failure = report(outcome, io);
    const pending = (services.notifier as { pending?: unknown }).pending;
    if (typeof pending === "number" && pending > 0)
      io.warning(`${pending} Slack post(s) could not be delivered; see the log`);
    await io.summary(renderSummary(outcome, summaryContext)).catch((error: unknown) => {
      io.warning(`could not write the job summary: ${errorMessage(error)}`);
    });
    return failure === undefined ? { ok: true, outcome } : { ok: false, failure };
  } catch (error) {
    const { message, details } = describeFailure(error, io.logger);
    return await failed([message, ...details.map((d) => `  ${d}`)].join("\n"));
  }
}
