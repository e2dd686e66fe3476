import { z } from "zod";
import { Duration, EnvName } from "./schema-parts.ts";

/**
 * The operator's flag services (env FLAG_TARGETS=/path/flags.yml): base URLs and the env vars that
 * hold credentials. A repository's rollout file only names a target; it never holds a URL or secret.
 */

export const FLAG_TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HttpsUrl = z.url({ protocol: /^https?$/ });
/** GitHub owner names (`acme`), compared case-insensitively. */
const Owners = z
  .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "expected a GitHub owner name"))
  .min(1)
  .optional()
  .meta({ description: "Only repositories of these owners may use the target; default: every repository." });

const common = {
  owners: Owners,
  timeout: Duration.optional().meta({ description: "Per request; default 10s." }),
};

export const UnleashTarget = z.strictObject({
  type: z.literal("unleash"),
  url: HttpsUrl.meta({ description: "Unleash base URL, e.g. https://unleash.example.com (no /api)." }),
  token_env: EnvName.meta({ description: "Env var holding an Admin API token." }),
  project: z.string().min(1).default("default"),
  ...common,
});

export const LaunchDarklyTarget = z.strictObject({
  type: z.literal("launchdarkly"),
  url: HttpsUrl.default("https://app.launchdarkly.com"),
  token_env: EnvName.meta({ description: "Env var holding an API access token with writer role." }),
  project: z.string().min(1).default("default"),
  on_variation: z
    .int()
    .min(0)
    .default(0)
    .meta({ description: "Index of the variation that gets the percentage." }),
  off_variation: z.int().min(0).default(1),
  ...common,
});

export const FlagsmithTarget = z.strictObject({
  type: z.literal("flagsmith"),
  url: HttpsUrl.default("https://api.flagsmith.com/api/v1"),
  token_env: EnvName.meta({ description: "Env var holding an Admin API key." }),
  auth_scheme: z.enum(["Api-Key", "Token"]).default("Api-Key"),
  ...common,
});

export const VercelEdgeConfigTarget = z.strictObject({
  type: z.literal("vercel-edge-config"),
  url: HttpsUrl.default("https://api.vercel.com"),
  edge_config_id: z.string().regex(/^ecfg_[A-Za-z0-9]+$/, "expected an Edge Config id like ecfg_abc123"),
  team_id: z.string().min(1).optional(),
  token_env: EnvName.meta({ description: "Env var holding a Vercel access token." }),
  ...common,
});

export const HttpTarget = z.strictObject({
  type: z.literal("http"),
  method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
  url: HttpsUrl.meta({
    description: "Where the change is sent, e.g. https://admin.example.com/admin/feature-flags.",
  }),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(500)).default({}),
  header_env: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/), EnvName)
    .default({})
    .meta({
      description: "Headers whose values come from env vars (credentials), e.g. Authorization: ADMIN_TOKEN.",
    }),
  body: z.json().meta({
    description:
      "JSON body template: {{rollout}}, {{repo}}, {{flag}}, {{environment}}, {{percent}}, {{fraction}}, {{value}}, {{enabled}}, {{event}}, {{from}}, {{to}}. A string that is exactly one placeholder becomes its JSON value.",
  }),
  ...common,
});

export const FlagTargetConfig = z.discriminatedUnion("type", [
  UnleashTarget,
  LaunchDarklyTarget,
  FlagsmithTarget,
  VercelEdgeConfigTarget,
  HttpTarget,
]);
export type FlagTargetConfig = z.output<typeof FlagTargetConfig>;

export const FlagTargetsFile = z.strictObject({
  targets: z.record(
    z.string().regex(FLAG_TARGET_NAME, "target names are lowercase letters, digits, - and _"),
    FlagTargetConfig,
  ),
});
export type FlagTargetsFile = z.output<typeof FlagTargetsFile>;
