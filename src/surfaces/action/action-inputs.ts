import { z } from "zod";
import { DEFAULT_GITHUB_API_URL, parseRepositoryName } from "../../core/config/repository-name.ts";
import { parseDuration } from "../../core/duration.ts";

/**
 * The Action's inputs as the runner hands them over: `INPUT_<NAME>` env vars, the name upper-cased
 * with its dashes kept (`INPUT_GITHUB-TOKEN`), every declared input present (empty when not given);
 * plus the runner's own `GITHUB_*` variables. Problems are named without echoing values (tokens).
 */

export const ACTION_COMMANDS = [
  "status",
  "advance",
  "rollback",
  "pause",
  "resume",
  "validate",
  "tick",
  "list",
  "history",
] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

export const DEFAULT_INTERVAL = "15m";

/** An input left out arrives as "" (or not at all): both mean "not given". */
const text = z
  .string()
  .optional()
  .transform((value) => {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
  });

/** YAML 1.2 booleans, as `core.getBooleanInput` accepts them. */
const flag = (name: string) =>
  text.pipe(
    z
      .enum(["true", "True", "TRUE", "false", "False", "FALSE"], {
        error: `${name} must be true or false`,
      })
      .optional()
      .transform((value) => value?.toLowerCase() === "true"),
  );

const RawInputs = z.object({
  INPUT_COMMAND: text.pipe(
    z.enum(ACTION_COMMANDS, { error: `command must be one of ${ACTION_COMMANDS.join(", ")}` }),
  ),
  INPUT_ROLLOUT: text,
  INPUT_TO: text,
  INPUT_REASON: text,
  "INPUT_DRY-RUN": flag("dry-run"),
  "INPUT_ALLOW-REPO-METRICS-URL": flag("allow-repo-metrics-url"),
  "INPUT_GITHUB-TOKEN": text.pipe(
    z.string({
      error: "github-token is empty: its default is the workflow's GITHUB_TOKEN; pass an App token here",
    }),
  ),
  "INPUT_SLACK-TOKEN": text,
  "INPUT_SLACK-CHANNEL": text,
  INPUT_INTERVAL: text.transform((value, ctx) => {
    const seconds = parseDuration(value ?? DEFAULT_INTERVAL);
    if (seconds === undefined || seconds <= 0) {
      ctx.addIssue({ code: "custom", message: "interval must be a duration like 15m, 1h or 1h30m" });
      return z.NEVER;
    }
    return seconds;
  }),
  GITHUB_REPOSITORY: text.transform((value, ctx) => {
    const repository = value === undefined ? undefined : parseRepositoryName(value);
    if (!repository) {
      ctx.addIssue({ code: "custom", message: "GITHUB_REPOSITORY must be owner/name (the runner sets it)" });
      return z.NEVER;
    }
    return repository;
  }),
  GITHUB_API_URL: text.pipe(z.url({ error: "GITHUB_API_URL must be a URL" }).optional()),
  GITHUB_ACTOR: text,
  GITHUB_TRIGGERING_ACTOR: text,
  GITHUB_EVENT_NAME: text,
  SLACK_API_URL: text.pipe(z.url({ error: "SLACK_API_URL must be a URL" }).optional()),
});

export interface ActionInputs {
  command: ActionCommand;
  rollout?: string | undefined;
  to?: string | undefined;
  reason?: string | undefined;
  dryRun: boolean;
  /** Use a Prometheus URL written in a rollout file, fed only ROLLOUT_METRICS_* env vars. */
  repoMetricsUrls: boolean;
  githubToken: string;
  slackToken?: string | undefined;
  slackChannel?: string | undefined;
  /** How often the `schedule:` workflow runs `tick`: a status post is due when its schedule fired within it. */
  intervalSeconds: number;
  repository: { owner: string; repo: string };
  apiUrl: string;
  slackApiUrl?: string | undefined;
  /** Who started the run (a re-run's triggering actor first); undefined outside a runner. */
  actor?: string | undefined;
  /** The event that started the workflow (`schedule`, `workflow_dispatch`, …). */
  event?: string | undefined;
}

export type ParsedInputs = { ok: true; inputs: ActionInputs } | { ok: false; problems: string[] };

export function parseActionInputs(env: NodeJS.ProcessEnv): ParsedInputs {
  const parsed = RawInputs.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => issue.message),
    };
  }
  const raw = parsed.data;
  return {
    ok: true,
    inputs: {
      command: raw.INPUT_COMMAND,
      rollout: raw.INPUT_ROLLOUT,
      to: raw.INPUT_TO,
      reason: raw.INPUT_REASON,
      dryRun: raw["INPUT_DRY-RUN"],
      repoMetricsUrls: raw["INPUT_ALLOW-REPO-METRICS-URL"],
      githubToken: raw["INPUT_GITHUB-TOKEN"],
      slackToken: raw["INPUT_SLACK-TOKEN"],
      slackChannel: raw["INPUT_SLACK-CHANNEL"],
      intervalSeconds: raw.INPUT_INTERVAL,
      repository: raw.GITHUB_REPOSITORY,
      apiUrl: raw.GITHUB_API_URL ?? DEFAULT_GITHUB_API_URL,
      slackApiUrl: raw.SLACK_API_URL,
      actor: raw.GITHUB_TRIGGERING_ACTOR ?? raw.GITHUB_ACTOR,
      event: raw.GITHUB_EVENT_NAME,
    },
  };
}

const TAKES_TARGET: ReadonlySet<ActionCommand> = new Set(["advance", "rollback"]);
const TAKES_REASON: ReadonlySet<ActionCommand> = new Set(["rollback", "pause"]);

/**
 * The command line the one grammar parses (`rollback checkout to 0 --reason "…"`), as the CLI builds
 * it. A dispatch form shares its fields between commands, so `to` and `reason` given to a command
 * that takes none are left out and named in `ignored` (for a warning) rather than failing the run.
 */
export function commandTokens(inputs: ActionInputs): { tokens: string[]; ignored: string[] } {
  const tokens: string[] = [inputs.command];
  const ignored: string[] = [];
  if (inputs.rollout !== undefined) tokens.push(inputs.rollout);
  if (inputs.to !== undefined) {
    if (TAKES_TARGET.has(inputs.command)) tokens.push("to", inputs.to);
    else ignored.push("to");
  }
  if (inputs.reason !== undefined) {
    if (TAKES_REASON.has(inputs.command)) tokens.push("--reason", inputs.reason);
    else ignored.push("reason");
  }
  return { tokens, ignored };
}
