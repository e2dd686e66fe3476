import type { Logger } from "../../ports.ts";

/**
 * How every Octokit the bot builds meets GitHub's faults, through Octokit's own plugins (retry and
 * throttling), configured once here for Probot's client and for the token client of the Action/CLI:
 * - 5xx and network errors: plugin-retry, 3 retries after 1, 4, 9 s (its quadratic backoff);
 * - secondary rate limits (403/429 with "secondary rate limit" and `retry-after`): waited out and
 *   retried up to 3 times when GitHub asks for at most 2 minutes, else given up (the next alert or
 *   evaluation tries again; a caller is not blocked for an hour);
 * - the primary rate limit exhausted: retried twice when it resets within 2 minutes.
 * Writes stay spaced as GitHub asks of integrations (the throttling plugin's write queue).
 */

export const MAX_SECONDARY_RETRIES = 3;
export const MAX_PRIMARY_RETRIES = 2;
export const MAX_WAIT_SECONDS = 120;

interface RequestOptions {
  method?: string;
  url?: string;
}

export function throttleHandlers(logger: Logger) {
  return {
    onSecondaryRateLimit: (
      retryAfter: number,
      options: RequestOptions,
      _octokit: unknown,
      retryCount = 0,
    ) => {
      const retry = retryCount < MAX_SECONDARY_RETRIES && retryAfter <= MAX_WAIT_SECONDS;
      logger.warn(
        { method: options.method, url: options.url, retryAfter, retryCount, retry },
        "GitHub secondary rate limit",
      );
      return retry;
    },
    onRateLimit: (retryAfter: number, options: RequestOptions, _octokit: unknown, retryCount = 0) => {
      const retry = retryCount < MAX_PRIMARY_RETRIES && retryAfter <= MAX_WAIT_SECONDS;
      logger.warn(
        { method: options.method, url: options.url, retryAfter, retryCount, retry },
        "GitHub rate limit exhausted",
      );
      return retry;
    },
  };
}
