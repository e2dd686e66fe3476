import { setTimeout as sleep } from "node:timers/promises";
import type { Octokit } from "@octokit/core";
import { RequestError } from "@octokit/request-error";

/**
 * GitHub's transient faults retried the way @octokit/plugin-retry does — 5xx and network errors (and
 * GraphQL's "Something went wrong while executing your query"), 3 retries after 1, 4 and 9 s, never
 * 400/401/403/404/409/410/422/451, `request.retries` per call — without its cost: plugin-retry 8 builds a
 * new Bottleneck limiter for every request (its wrap-request.js), ≈ 1.1–1.7 ms of CPU and a few
 * timer hops each (measured: 3.4 ms CPU per request with it and the throttling plugin's limiters,
 * 0.6 ms without; octokit/plugin-throttling.js#629: Bottleneck is unmaintained). Probot's client gets
 * this in place of its own plugin-retry (`retry.enabled: false`); options under `transientRetry`.
 */

export interface RetryOptions {
  enabled?: boolean;
  retries?: number;
  /** ms per unit of backoff (tests make it small). */
  retryAfterBaseValue?: number;
  doNotRetry?: number[];
}

// plugin-retry's list, and 409: a conflict (a stale sha, a branch moved) is re-read by the caller under its lease.
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

function retryable(error: unknown, doNotRetry: readonly number[]): boolean {
  const e = error as { status?: unknown; request?: unknown };
  return (
    e.request !== undefined &&
    typeof e.status === "number" &&
    e.status >= 400 &&
    !doNotRetry.includes(e.status)
  );
}

export function octokitRetry(octokit: Octokit, options: object): Record<string, never> {
  const { transientRetry } = options as { transientRetry?: RetryOptions };
  const state = {
    enabled: true,
    retries: 3,
    retryAfterBaseValue: 1_000,
    doNotRetry: DO_NOT_RETRY,
    ...transientRetry,
  };
  if (!state.enabled) return {};
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await request(requestOptions);
        const first = (response.data as { errors?: { message?: string }[] } | undefined)?.errors?.[0]
          ?.message;
        if (first && /Something went wrong while executing your query/.test(first))
          throw new RequestError(first, 500, { request: requestOptions, response });
        return response;
      } catch (error) {
        const perRequest = requestOptions.request as { retries?: number } | undefined;
        const retries = perRequest?.retries ?? state.retries;
        if (!retryable(error, state.doNotRetry) || attempt >= retries) throw error;
        requestOptions.request = { ...requestOptions.request, retryCount: attempt + 1 } as never;
        await sleep((attempt + 1) ** 2 * state.retryAfterBaseValue);
      }
    }
  });
  return {};
}
