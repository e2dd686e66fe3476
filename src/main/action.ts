import { existsSync } from "node:fs";
import { join } from "node:path";
import * as core from "@actions/core";
import { loadFlagTargets } from "../adapters/flags/flag-target-registry.ts";
import { githubOctokit } from "../adapters/github/github-client.ts";
import { GitHubRepoStore } from "../adapters/github/github-repo-store.ts";
import { LocalRepoStore } from "../adapters/local/local-repo-store.ts";
import { LogNotifier } from "../adapters/log/log-notifier.ts";
import { localMetrics } from "../adapters/prometheus/local-metrics.ts";
import type { Command } from "../core/commands/command.ts";
import { errorMessage, RolloutError } from "../core/errors.ts";
import type { Logger, Notifier, RepoStore } from "../ports.ts";
import type { ActionInputs } from "../surfaces/action/action-inputs.ts";
import { type ActionIo, runAction } from "../surfaces/action/action-run.ts";
import { localServices } from "./coordination.ts";

/**
 * The GitHub Action's entry (bundled to dist/action.js): the only module that touches `@actions/core`.
 * It hands the runner's side (outputs, annotations, masking, job summary, log) to runAction and ends
 * the step non-zero on failure.
 */

const SECRET_KEY = /token|authorization|password|secret|private.?key/i;

/** Log lines for the runner's log: the static message, then its fields as JSON (secret keys censored). */
function actionLogger(bindings: object = {}): Logger {
  const line = (fields: object, message: string) => {
    const data = { ...bindings, ...fields };
    if (Object.keys(data).length === 0) return message;
    return `${message} ${JSON.stringify(data, (key, value) => (SECRET_KEY.test(key) ? "[redacted]" : value))}`;
  };
  return {
    info: (fields, message) => core.info(line(fields, message)),
    warn: (fields, message) => core.warning(line(fields, message)),
    error: (fields, message) => core.error(line(fields, message)),
    debug: (fields, message) => core.debug(line(fields, message)),
    child: (more) => actionLogger({ ...bindings, ...more }),
  };
}

const USER_AGENT = "rollout-bot-action";
const logger = actionLogger();

/** The repository, notifier and metrics for the Action's inputs: what the runner's job gives it. */
async function notifierFor(inputs: ActionInputs): Promise<Notifier> {
  if (!inputs.slackToken) {
    if (inputs.slackChannel)
      core.warning("slack-channel is set but slack-token is empty: status goes to the log only");
    return new LogNotifier(logger);
  }
  // Loaded only when used: the Slack client is most of the bundle's start-up cost.
  const { SlackNotifier } = await import("../adapters/slack/slack-notifier.ts");
  return new SlackNotifier({
    token: inputs.slackToken,
    slackApiUrl: inputs.slackApiUrl,
    defaultChannel: inputs.slackChannel,
    logger,
  });
}

/**
 * `validate` checks the files of the checkout when the job has one (actions/checkout put a `.github`
 * folder in the workspace): on a pull request that is the PR's version, which the API's default
 * branch is not. Without a checkout it reads the default branch through the API.
 */
function validateWorkspace(command: Command): string | undefined {
  const workspace = process.env.GITHUB_WORKSPACE;
  if (command.verb !== "validate" || !workspace) return undefined;
  return existsSync(join(workspace, ".github")) ? workspace : undefined;
}

const open: ActionIo["open"] = async (inputs, command) => {
  const workspace = validateWorkspace(command);
  const { repoMetricsUrls } = inputs;
  const metrics = localMetrics(process.env, { repoMetricsUrls });
  if (!metrics.ok)
    throw new RolloutError("USAGE", `invalid metrics configuration: ${metrics.problems.join("; ")}`);
  const store: RepoStore = workspace
    ? new LocalRepoStore(workspace, { repoMetricsUrls })
    : new GitHubRepoStore(
        githubOctokit({ token: inputs.githubToken, apiUrl: inputs.apiUrl, userAgent: USER_AGENT }),
        {
          ...inputs.repository,
          repoMetricsUrls,
          ...(process.env.GITHUB_SERVER_URL ? { webUrl: process.env.GITHUB_SERVER_URL } : {}),
        },
      );
  const services = localServices({
    flags: await loadFlagTargets(process.env),
    metrics: metrics.metrics,
    notifier: await notifierFor(inputs),
    clock: { now: () => new Date() },
    logger,
  });
  return {
    store,
    services,
    ...(workspace ? { note: `validating the checked-out files in ${workspace}` } : {}),
  };
};

const result = await runAction({
  env: process.env,
  setSecret: core.setSecret,
  setOutput: core.setOutput,
  annotate: (message, at) =>
    core.error(message, { file: at.file, startLine: at.line, startColumn: at.column }),
  warning: (message) => core.warning(message),
  info: core.info,
  summary: async (markdown) => {
    // Outside a runner there is no summary file: skip quietly rather than fail the command.
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(markdown, true).write();
  },
  logger,
  open,
}).catch((error: unknown) => ({
  ok: false as const,
  failure: `internal error: ${errorMessage(error)}`,
}));
if (!result.ok) core.setFailed(result.failure);
