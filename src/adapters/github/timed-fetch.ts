import { type GitHubFetch, httpFetch, httpFetchWithin } from "../http/http-fetch.ts";

/**
 * A fetch for Octokit with a deadline per attempt (headers and body): GitHub answering slowly, or a
 * connection that hangs, fails the attempt instead of holding a command (and its lease) for ever. The
 * retry plugin may try again; each try has its own deadline.
 */
export const GITHUB_REQUEST_TIMEOUT_MS = 15_000;

export function timedFetch(
  timeoutMs: number = GITHUB_REQUEST_TIMEOUT_MS,
  base: GitHubFetch = httpFetch,
): GitHubFetch {
  if (base === httpFetch) return httpFetchWithin(timeoutMs);
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return base(input, { ...init, signal });
  };
}
