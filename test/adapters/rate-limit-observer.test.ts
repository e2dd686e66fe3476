import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { RateLimitObserver } from "../../src/adapters/github/rate-limit-observer.ts";
import { createServerMetrics } from "../../src/surfaces/http/server-metrics.ts";
import { startFakeGitHub } from "../fakes/github/fake-github.ts";

/** GitHub's rate limit, read off the responses the bot gets anyway, reaches /metrics. */
describe("RateLimitObserver", () => {
  it("records x-ratelimit-* of every response, errors included, and /metrics shows it", async () => {
    const fake = await startFakeGitHub();
    try {
      fake.state.seedRepo({ owner: "acme", name: "shop", files: { "README.md": "hi" } });
      const observer = new RateLimitObserver();
      const octokit = new (Octokit.plugin(observer.plugin() as never))({
        baseUrl: fake.url,
        auth: "token-x",
        log: { debug() {}, info() {}, warn() {}, error() {} },
      });
      await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
      await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
      expect(observer.snapshot().get("core")).toEqual({ remaining: 4998, limit: 5000 });
      await expect(octokit.rest.repos.get({ owner: "acme", repo: "nope" })).rejects.toThrow();
      expect(observer.snapshot().get("core")?.remaining).toBe(4997);
      const metrics = createServerMetrics({ githubRateLimit: () => observer.snapshot() });
      const text = await metrics.registry.metrics();
      expect(text).toContain('rollout_bot_github_rate_limit_remaining{resource="core"} 4997');
      expect(text).toContain('rollout_bot_github_rate_limit{resource="core"} 5000');
    } finally {
      await fake.close();
    }
  });
});
