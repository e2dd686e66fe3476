import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { parseDuration } from "../duration.ts";

/** Building blocks shared by the rollout file and the settings file schemas. */

export const DURATION_PATTERN = "^(?:\\d+w)?(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?$";

/** `90s`, `30m`, `4h`, `14d`, `1w`, `1d12h` → seconds. */
export const Duration = z
  .string()
  .min(1, "expected a duration like 90s, 30m, 4h or 14d")
  .regex(new RegExp(DURATION_PATTERN), "expected a duration like 90s, 30m, 4h or 14d")
  .transform((text) => parseDuration(text) ?? 0)
  .meta({ description: "A duration: 90s, 30m, 4h, 14d, 1w or combined like 1d12h." });

/** A threshold: a plain number in the query's unit, or a percentage like `1%` (= 0.01). */
export const Threshold = z
  .union([z.number(), z.string().regex(/^-?\d+(?:\.\d+)?%$/, "expected a number or a percentage like 1.5%")])
  .transform((value) => (typeof value === "number" ? value : Number(value.slice(0, -1)) / 100))
  .meta({ description: "A number in the query's unit, or a percentage like 1.5% (= 0.015)." });

/**
 * Five- or six-field cron expression, checked by cron-parser: the parser that decides when a status
 * or a weekly report is due (status-schedule.ts). An expression it refuses would never fire; pure,
 * no timers (node-cron's only entry point loads its scheduler and child_process).
 */
export const Cron = z
  .string()
  .regex(/^\s*\S+(?:\s+\S+){4,5}\s*$/, "expected a cron expression with 5 or 6 fields, like '0 */4 * * *'")
  .superRefine((expression, ctx) => {
    try {
      CronExpressionParser.parse(expression, { currentDate: new Date(0), tz: "UTC" });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      ctx.addIssue({ code: "custom", message: `'${expression.slice(0, 40)}' would never run: ${reason}` });
    }
  })
  .meta({ description: "Cron expression (5 or 6 fields), e.g. '0 */4 * * *'." });

export const IsoTime = z.iso
  .datetime({ offset: true })
  .meta({ description: "ISO 8601 time, e.g. 2026-11-22T10:00:00Z." });

/** Environment variable *names*: credentials never live in the repository. */
export const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name");

/** How a repository names a metrics source the operator defines (PROMETHEUS_URL is `default`). */
export const METRICS_SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** The CLI and the Action hand a repository-file source only the env vars with this prefix. */
export const REPO_METRICS_ENV_PREFIX = "ROLLOUT_METRICS_";
/** The longest a metrics query may take, wherever its timeout is set. */
export const MAX_METRICS_TIMEOUT_SECONDS = 60;

export const MetricsTimeout = Duration.refine(
  (seconds) => seconds > 0 && seconds <= MAX_METRICS_TIMEOUT_SECONDS,
  `a metrics timeout is more than 0s and at most ${MAX_METRICS_TIMEOUT_SECONDS}s`,
);

export const MetricsSourceName = z
  .string()
  .regex(
    METRICS_SOURCE_NAME,
    "expected the name of a metrics source the operator defines, like default or prod-eu (a repository file holds no URL or credential)",
  )
  .meta({ description: "A metrics source the operator defines, e.g. prod-eu. Default: default." });

/**
 * The older form, a URL in the repository file. The server refuses it (its environment and network are
 * not the repository's to point at); the CLI and the Action accept it when their user opts in with
 * --allow-repo-metrics-url, and then pass it only env vars named ROLLOUT_METRICS_*.
 */
export const RepoMetricsUrl = z
  .strictObject({
    type: z.literal("prometheus").default("prometheus"),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({ description: "Prometheus base URL (no credentials)." }),
    url_env: EnvName.optional().meta({ description: "Name of a ROLLOUT_METRICS_* env var holding the URL." }),
    bearer_token_env: EnvName.optional().meta({ description: "Name of a ROLLOUT_METRICS_* env var." }),
    basic_auth_env: EnvName.optional().meta({
      description: "Name of a ROLLOUT_METRICS_* env var holding `user:password`.",
    }),
    timeout: MetricsTimeout.optional(),
  })
  .meta({
    description:
      "CLI and Action only, with --allow-repo-metrics-url (input allow-repo-metrics-url): a Prometheus URL in the repository file. The server refuses it: name a source instead.",
  });

export const MetricsSourceRef = z.union([MetricsSourceName, RepoMetricsUrl]);

/** An IANA time zone the runtime knows (checked through Intl, which is pure). */
export const TimeZone = z
  .string()
  .min(1)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, "unknown time zone: use an IANA name like Europe/Berlin or UTC");

export type MetricsSourceRef = z.output<typeof MetricsSourceRef>;
export type RepoMetricsUrl = z.output<typeof RepoMetricsUrl>;

export const Notify = z.strictObject({
  slack_channel: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Channel for status posts, e.g. #my-rollout." }),
  schedule: Cron.optional().meta({ description: "When to post scheduled status. Default: every 4 hours." }),
  timezone: TimeZone.optional().meta({ description: "IANA time zone for the schedules." }),
  weekly_report: Cron.optional().meta({ description: "When to post a weekly report, e.g. '0 9 * * FRI'." }),
});

export const Automation = z.strictObject({
  auto_advance: z.boolean().default(false).meta({ description: "Open the bump PR when the gate passes." }),
  auto_rollback: z.boolean().default(true).meta({ description: "Roll back at once when health is red." }),
  auto_merge: z.boolean().default(false).meta({ description: "Merge the bump PR once the gate is green." }),
});

export const RollbackTarget = z
  .union([z.literal("previous"), z.number().min(0).max(100)])
  .meta({ description: "previous stage (default), 0, or a stage percentage." });
