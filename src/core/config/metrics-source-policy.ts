import { z } from "zod";
import { REPO_METRICS_ENV_PREFIX } from "./schema-parts.ts";

/**
 * Where a repository file's `metrics.source` may point. On the server never at a URL: the server's
 * network and environment (its secrets) are not a repository's to aim at, so a file only names a
 * source the operator defines. The CLI and the Action run with their user's own environment: there a
 * URL in the file is allowed when the user opts in, with credentials only from ROLLOUT_METRICS_* vars.
 */
export interface SourcePolicy {
  /** The CLI's --allow-repo-metrics-url, the Action's allow-repo-metrics-url input. */
  repoMetricsUrls: boolean;
}

export const SERVER_POLICY: SourcePolicy = { repoMetricsUrls: false };

const REFUSED =
  "name a metrics source the operator defines, like `source: default` or `source: prod-eu`: a repository file holds no URL or credential reference (the CLI and the Action read one only with --allow-repo-metrics-url)";

const ENV_KEYS = ["url_env", "bearer_token_env", "basic_auth_env"] as const;

/** Checked beside the file's schema (same file:line reporting): the policy's view of `metrics.source`. */
export function sourcePolicySchema(policy: SourcePolicy): z.ZodType {
  return z.unknown().superRefine((data, ctx) => {
    const metrics = isRecord(data) ? data.metrics : undefined;
    const source = isRecord(metrics) ? metrics.source : undefined;
    if (!isRecord(source)) return;
    const path = ["metrics", "source"];
    if (!policy.repoMetricsUrls) {
      ctx.addIssue({ code: "custom", path, message: REFUSED });
      return;
    }
    for (const key of ENV_KEYS) {
      const name = source[key];
      if (typeof name === "string" && !name.startsWith(REPO_METRICS_ENV_PREFIX)) {
        ctx.addIssue({
          code: "custom",
          path: [...path, key],
          message: `must name a ${REPO_METRICS_ENV_PREFIX}* variable: only those are handed to a source a repository file names`,
        });
      }
    }
  });
}

/** Cheap test before a second parse: most files name no source object at all. */
export function mayNameSource(text: string): boolean {
  return /\bsource\s*:/.test(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
