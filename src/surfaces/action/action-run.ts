import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { githubOctokit } from "../../adapters/github/github-client.ts";
import { messageOf, statusOf } from "../../adapters/github/github-errors.ts";
import { githubIdentity } from "../../adapters/github/github-identity.ts";
import { GitHubRepoStore } from "../../adapters/github/github-repo-store.ts";
import { LocalRepoStore } from "../../adapters/local/local-repo-store.ts";
import { LogNotifier } from "../../adapters/log/log-notifier.ts";
import { localMetrics } from "../../adapters/prometheus/local-metrics.ts";
import type { CommandContext } from "../../commands/context.ts";
import { loadRepo } from "../../commands/load-repo.ts";
import { type CommandOutcome, runCommand } from "../../commands/run-command.ts";
import { tick } from "../../commands/tick.ts";
import { authorize, type Permission } from "../../core/commands/authorize.ts";
import type { Command } from "../../core/commands/command.ts";
import { parseCommandTokens } from "../../core/commands/command-grammar.ts";
import { isRolloutError } from "../../core/errors.ts";
import { lastOccurrence, statusSchedule } from "../../core/rollout/status-schedule.ts";
import type { Logger, Notifier, RepoStore } from "../../ports.ts";
import { renderHuman } from "../cli/cli-render.ts";
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
  now?: () => Date;
  /** Replaces the Octokit built from the inputs (tests). */
  octokit?: Octokit;
}

export type ActionResult = { ok: true; outcome: CommandOutcome } | { ok: false; failure: string };

const USER_AGENT = "rollout-bot-action";

/** Who may run which verb, from `.github/rollout-bot.yml`; `tick` acts as the bot's own automation. */
const PERMISSION: Partial<Record<Command["verb"], Permission>> = {
  advance: "advance",
  rollback: "rollback",
  pause: "pause",
  resume: "resume",
  "rollback-all": "rollback_all",
};

const SECRET_INPUTS = ["INPUT_GITHUB-TOKEN", "INPUT_SLACK-TOKEN"] as const;

async function notifierFor(inputs: ActionInputs, io: ActionIo): Promise<Notifier> {
  if (!inputs.slackToken) {
    if (inputs.slackChannel)
      io.warning("slack-channel is set but slack-token is empty: status goes to the log only");
    return new LogNotifier(io.logger);
  }
  // Loaded only when used: the Slack client is most of the bundle's start-up cost.
  const { SlackNotifier } = await import("../../adapters/slack/slack-notifier.ts");
  return new SlackNotifier({
    token: inputs.slackToken,
    slackApiUrl: inputs.slackApiUrl,
    defaultChannel: inputs.slackChannel,
    logger: io.logger,
  });
}

/** Checks the person who started the run against the settings' permissions; a refusal says why. */
async function refusalFor(
  command: Command,
  inputs: ActionInputs,
  ctx: CommandContext,
  octokit: Octokit,
): Promise<string | undefined> {
  const permission = PERMISSION[command.verb];
  if (!permission || inputs.dryRun || inputs.actor === undefined) return undefined;
  const { settings } = await loadRepo(ctx.store);
  const identity = await githubIdentity(octokit, inputs.repository, inputs.actor, settings);
  const verdict = authorize(settings, permission, identity);
  return verdict.ok ? undefined : `refused: ${verdict.reason}`;
}

/**
 * `validate` checks the files of the checkout when the job has one (actions/checkout put a `.github`
 * folder in the workspace): on a pull request that is the PR's version, which the API's default
 * branch is not. Without a checkout it reads the default branch through the API.
 */
function validateWorkspace(command: Command, env: NodeJS.ProcessEnv): string | undefined {
  const workspace = env.GITHUB_WORKSPACE;
  if (command.verb !== "validate" || !workspace) return undefined;
  return existsSync(join(workspace, ".github")) ? workspace : undefined;
}

async function execute(command: Command, inputs: ActionInputs, ctx: CommandContext): Promise<CommandOutcome> {
  if (command.verb !== "tick") return runCommand(ctx, command);
  // A `schedule:` workflow runs every `interval`: status is due when the rollout's own schedule
  // fired since the previous run, i.e. within the last interval.
  const now = ctx.clock.now();
  const windowMs = inputs.intervalSeconds * 1000;
  const decisions = await tick(ctx, {
    statusDue: (rollout, settings) => {
      const last = lastOccurrence(statusSchedule(rollout.file, settings), now);
      return last !== undefined && now.getTime() - last.getTime() < windowMs;
    },
  });
  return { kind: "tick", decisions };
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
  const octokit =
    io.octokit ?? githubOctokit({ token: inputs.githubToken, apiUrl: inputs.apiUrl, userAgent: USER_AGENT });
  const workspace = validateWorkspace(command.command, io.env);
  const { repoMetricsUrls } = inputs;
  const store: RepoStore = workspace
    ? new LocalRepoStore(workspace, { repoMetricsUrls })
    : new GitHubRepoStore(octokit, { ...inputs.repository, repoMetricsUrls });
  const metrics = localMetrics(io.env, { repoMetricsUrls });
  if (!metrics.ok)
    return { ok: false, failure: `invalid metrics configuration: ${metrics.problems.join("; ")}` };
  if (workspace) io.info(`validating the checked-out files in ${workspace}`);
  const automation = command.command.verb === "tick";
  const ctx: CommandContext = {
    store,
    metrics: metrics.metrics,
    notifier: await notifierFor(inputs, io),
    clock: { now: io.now ?? (() => new Date()) },
    logger: io.logger.child({ repo: repositoryName, command: inputs.command }),
    actor: automation ? "rollout-bot" : (inputs.actor ?? "github-actions"),
    dryRun: inputs.dryRun,
  };
  const summaryContext = { command: inputs.command, repository: repositoryName, dryRun: inputs.dryRun };
  const failed = async (failure: string): Promise<ActionResult> => {
    io.setOutput("changed", "false");
    await io.summary(renderFailureSummary(failure, summaryContext)).catch(() => undefined);
    return { ok: false, failure };
  };
  try {
    const refusal = await refusalFor(command.command, inputs, ctx, octokit);
    if (refusal) return await failed(refusal);
    const outcome = await execute(command.command, inputs, ctx);
    const failure = report(outcome, io);
    const pending = (ctx.notifier as { pending?: unknown }).pending;
    if (typeof pending === "number" && pending > 0)
      io.warning(`${pending} Slack post(s) could not be delivered; see the log`);
    await io.summary(renderSummary(outcome, summaryContext)).catch((error: unknown) => {
      io.warning(
        `could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return failure === undefined ? { ok: true, outcome } : { ok: false, failure };
  } catch (error) {
    return await failed(describeError(error));
  }
}

/** A thrown error as the one line (plus details) a person reads in the failed step. */
function describeError(error: unknown): string {
  if (isRolloutError(error)) return [error.message, ...error.details.map((d) => `  ${d}`)].join("\n");
  const status = statusOf(error);
  if (status === 401) return "GitHub refused the token (401): check the github-token input";
  if (status === 403 || status === 404) {
    return `GitHub answered ${status}: ${messageOf(error)} — does the token have the permissions this command needs (contents, pull-requests, actions)?`;
  }
  if (status !== undefined) return `GitHub answered ${status}: ${messageOf(error)}`;
  return `internal error: ${error instanceof Error ? error.message : String(error)}`;
}
