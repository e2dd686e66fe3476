import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { DEFAULT_GITHUB_API_URL, type RepositoryName } from "../../core/config/repository-name.ts";
import type { Logger } from "../../ports.ts";
import { silentLogger } from "../log/logger.ts";
import { GitHubRepoStore } from "./github-repo-store.ts";
import { ConcurrencyGroup, RetryLimiter } from "./light-limiters.ts";
import { throttleHandlers } from "./octokit-policy.ts";
import { octokitRetry } from "./octokit-retry.ts";
import { timedFetch } from "./timed-fetch.ts";

/**
 * @octokit/rest with GitHub's fault handling: retries (5xx, network; octokit-retry.ts, plugin-retry's
 * policy without its Bottleneck per request) and throttling (rate limits, writes paced).
 */
export const ResilientOctokit = Octokit.plugin(octokitRetry, throttling);

/**
 * A token-authenticated GitHub repository store, as the Action and the remote CLI use it:
 * `GITHUB_API_URL` (set by Actions runners, GHES included) or api.github.com.
 */

export interface GitHubClientOptions {
  token: string;
  /** API base; a trailing slash is dropped. Default: api.github.com. */
  apiUrl?: string | undefined;
  userAgent: string;
  /** Where rate-limit waits are reported. */
  logger?: Logger;
  /** Per attempt (default 15 s). */
  requestTimeoutMs?: number;
}

export function githubOctokit(options: GitHubClientOptions): Octokit {
  return new ResilientOctokit({
    auth: options.token,
    baseUrl: (options.apiUrl || DEFAULT_GITHUB_API_URL).replace(/\/+$/, ""),
    userAgent: options.userAgent,
    throttle: {
      ...throttleHandlers(options.logger ?? silentLogger),
      // The plugin's per-client retry limiter and its 10-at-once group, without Bottleneck's cost.
      retryLimiter: new RetryLimiter(),
      global: new ConcurrencyGroup(10),
    },
    request: { fetch: timedFetch(options.requestTimeoutMs) },
    // Octokit's default logger writes warnings with console.warn; request errors reach us as errors.
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

export function githubRepoStore(
  options: GitHubClientOptions & { repository: RepositoryName; repoMetricsUrls?: boolean },
): GitHubRepoStore {
  return new GitHubRepoStore(githubOctokit(options), {
    ...options.repository,
    repoMetricsUrls: options.repoMetricsUrls ?? false,
  });
}

export { parseRepositoryName } from "../../core/config/repository-name.ts";
