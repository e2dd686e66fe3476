import { validateDetailed } from "node-cron";
import { z } from "zod";

/** The server's environment, validated at start so a missing or malformed setting is named at once. */
export const ServerEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  ALERT_WEBHOOK_TOKEN: z
    .string()
    .min(
      16,
      "ALERT_WEBHOOK_TOKEN must be at least 16 characters (the alert endpoints refuse all requests without it)",
    )
    .optional(),
  ALERT_TOKEN_KEY: z
    .string()
    .min(
      32,
      "ALERT_TOKEN_KEY must be at least 32 characters (per-repository alert tokens are derived from it)",
    )
    .optional()
    .describe("Derives per-repository alert tokens: `rollout alert-token owner/name` prints one"),
  PROMETHEUS_URL: z.url("PROMETHEUS_URL must be a URL like http://prometheus:9090").optional(),
  METRICS_SOURCES: z
    .string()
    .min(1)
    .optional()
    .describe("Path of the operator's metrics sources file (YAML): named sources, each with optional owners"),
  PROMETHEUS_OWNERS: z
    .string()
    .optional()
    .describe("Repository owners (comma-separated) that may use PROMETHEUS_URL; unset: every repository"),
  PROMETHEUS_BEARER_TOKEN: z.string().min(1).optional().describe("Bearer token for PROMETHEUS_URL"),
  PROMETHEUS_BASIC_AUTH: z
    .string()
    .regex(/^[^:]+:/, "PROMETHEUS_BASIC_AUTH must be user:password")
    .optional()
    .describe("user:password for PROMETHEUS_URL"),
  ROLLOUT_REPO_DIR: z.string().min(1).optional().describe("Local mode: the checkout the bot manages"),
  ROLLOUT_REPO_NAME: z
    .string()
    .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "ROLLOUT_REPO_NAME must look like owner/name")
    .optional(),
  // node-cron schedules it, so node-cron's own parser judges it (a regex let `99 * * * FOO` through).
  EVALUATION_CRON: z
    .string()
    .min(1)
    .default("* * * * *")
    .superRefine((expression, ctx) => {
      const result = validateDetailed(expression);
      if (!result.valid)
        ctx.addIssue({
          code: "custom",
          message: `not a cron expression node-cron can run: ${result.errors.map((e) => e.message).join("; ")}`,
        });
    }),
  APP_ID: z.string().regex(/^\d+$/, "APP_ID must be the GitHub App's numeric id").optional(),
  PRIVATE_KEY: z.string().min(1).optional(),
  PRIVATE_KEY_PATH: z.string().min(1).optional(),
  WEBHOOK_SECRET: z.string().min(1).optional(),
  GHE_HOST: z.string().min(1).optional(),
  GHE_PROTOCOL: z.enum(["http", "https"]).optional(),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_API_URL: z
    .url("SLACK_API_URL must be a URL like https://slack.com/api/")
    .refine((url) => url.endsWith("/api/"), "SLACK_API_URL must end with /api/ (the Web API base)")
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith("xapp-", "SLACK_APP_TOKEN must be an app-level token (xapp-…) for Socket Mode")
    .optional(),
  SLACK_DEFAULT_CHANNEL: z.string().min(1).optional(),
  SLACK_TEAM_ID: z
    .string()
    .regex(/^T[A-Z0-9]{2,20}$/, "SLACK_TEAM_ID must be a Slack workspace id like T0123ABCD")
    .optional()
    .describe("The one workspace this server serves: every repository is bound to it"),
  FLAG_TARGETS: z
    .string()
    .min(1)
    .optional()
    .describe("Path of the operator's flag services file (Unleash, LaunchDarkly, Flagsmith, Vercel, HTTP)"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "REDIS_URL must be a URL like redis://redis:6379 (or rediss:// for TLS)")
    .optional()
    .describe("Replicas coordinate through this Redis; unset: one process, in memory"),
  LEASE_TTL_MS: z.coerce
    .number()
    .int()
    .min(500)
    .max(600_000)
    .optional()
    .describe("How long a dead replica's per-rollout lease blocks the others (renewed while work runs)"),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "PUBLIC_URL must be a URL like https://rollouts.example.com" })
    .optional()
    .describe("Where people reach this server: the status page's sign-in callback and the links in Slack"),
  GITHUB_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe("The GitHub App's OAuth client id (status page sign-in)"),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  SESSION_SECRET: z
    .string()
    .min(32, "SESSION_SECRET must be at least 32 characters (it signs the status page's session cookies)")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type ServerEnv = z.output<typeof ServerEnv>;

/** The GitHub App is on when any of its settings is given; then all of them are required. */
export function githubProblems(env: ServerEnv): string[] {
  const any = env.APP_ID || env.PRIVATE_KEY || env.PRIVATE_KEY_PATH || env.WEBHOOK_SECRET;
  if (!any) return [];
  const problems: string[] = [];
  if (!env.APP_ID) problems.push("APP_ID: required for the GitHub App (the App's numeric id)");
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH)
    problems.push("PRIVATE_KEY or PRIVATE_KEY_PATH: required for the GitHub App");
  if (!env.WEBHOOK_SECRET) problems.push("WEBHOOK_SECRET: required: webhooks are verified with it");
  return problems;
}

export function githubEnabled(env: ServerEnv): boolean {
  return Boolean(env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH) && env.WEBHOOK_SECRET);
}

/** Sign-in to the status page: the App's OAuth client id and secret, a session secret, the public URL. */
export function webProblems(env: ServerEnv): string[] {
  if (!env.GITHUB_CLIENT_ID && !env.GITHUB_CLIENT_SECRET) return [];
  const problems: string[] = [];
  if (!env.GITHUB_CLIENT_ID)
    problems.push("GITHUB_CLIENT_ID: required for sign-in (the App's OAuth client id)");
  if (!env.GITHUB_CLIENT_SECRET)
    problems.push("GITHUB_CLIENT_SECRET: required for sign-in (the App's OAuth client secret)");
  if (!env.SESSION_SECRET)
    problems.push("SESSION_SECRET: required for sign-in: it signs the session cookies");
  if (!env.PUBLIC_URL)
    problems.push("PUBLIC_URL: required for sign-in: GitHub calls back to PUBLIC_URL/auth/callback");
  return problems;
}

/** Slack is on when its bot token is given; it then needs the signing secret, or an app token for Socket Mode. */
export function slackProblems(env: ServerEnv): string[] {
  const any = env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN;
  if (!any) return [];
  const problems: string[] = [];
  if (!env.SLACK_BOT_TOKEN) problems.push("SLACK_BOT_TOKEN: required for Slack (the bot token, xoxb-…)");
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN)
    problems.push("SLACK_SIGNING_SECRET: required: Slack requests are verified with it");
  return problems;
}

export function slackEnabled(env: ServerEnv): boolean {
  return Boolean(env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN));
}

/** Parses env, or returns one line per problem (never echoing values: they may be secrets). */
export function parseServerEnv(
  env: NodeJS.ProcessEnv,
): { ok: true; env: ServerEnv } | { ok: false; problems: string[] } {
  // `APP_ID=` in a .env or a manifest's `value: ""` means unset, as it does to a shell user.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = ServerEnv.safeParse(set);
  if (parsed.success) {
    const problems = [
      ...githubProblems(parsed.data),
      ...slackProblems(parsed.data),
      ...webProblems(parsed.data),
    ];
    return problems.length === 0 ? { ok: true, env: parsed.data } : { ok: false, problems };
  }
  return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
}
