import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { DEFAULT_GITHUB_API_URL, type RepositoryName } from "../../core/config/repository-name.ts";
import type { Logger } from "../../ports.ts";
import { silentLogger } from "../log/logger.ts";
import { GitHubRepoStore } from "./github-repo-store.ts";
import { throttleHandlers } from "./octokit-policy.ts";
import { timedFetch } from "./timed-fetch.ts";

/** @octokit/rest with GitHub's fault handling: retries (5xx, network) and throttling (rate limits). */
export const ResilientOctokit = Octokit.plugin(retry, throttling);

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
    throttle: throttleHandlers(options.logger ?? silentLogger),
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
