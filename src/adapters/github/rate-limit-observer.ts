/**
 * GitHub's rate limit as the last responses reported it (`x-ratelimit-*` headers), for /metrics.
 * Fed by an Octokit plugin on every response, errors included: no extra request is ever made.
 */
export class RateLimitObserver {
  readonly #byResource = new Map<string, { remaining: number; limit: number }>();

  observe(headers: Record<string, unknown> | undefined): void {
    const remaining = Number(headers?.["x-ratelimit-remaining"]);
    const limit = Number(headers?.["x-ratelimit-limit"]);
    if (!Number.isFinite(remaining) || !Number.isFinite(limit)) return;
    this.#byResource.set(String(headers?.["x-ratelimit-resource"] ?? "core"), { remaining, limit });
  }

  snapshot(): ReadonlyMap<string, { remaining: number; limit: number }> {
    return this.#byResource;
  }

  /** An Octokit plugin that reports every response's headers here. */
  plugin() {
    return (octokit: {
      hook: {
        after(name: "request", hook: (response: { headers: Record<string, unknown> }) => void): void;
        error(
          name: "request",
          hook: (error: { response?: { headers: Record<string, unknown> } }) => never,
        ): void;
      };
    }) => {
      octokit.hook.after("request", (response) => this.observe(response.headers));
      octokit.hook.error("request", (error) => {
        this.observe(error.response?.headers);
        throw error;
      });
    };
  }
}
