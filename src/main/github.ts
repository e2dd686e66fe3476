import type { Logger as PinoLogger } from "pino";
import { createNodeMiddleware, createProbot, ProbotOctokit } from "probot";
import { GitHubRegistry } from "../adapters/github/github-registry.ts";
import { throttleHandlers } from "../adapters/github/octokit-policy.ts";
import type { RateLimitObserver } from "../adapters/github/rate-limit-observer.ts";
import { writeQueue } from "../adapters/github/write-queue.ts";
import { dedupeDeliveries } from "../surfaces/github/delivery-dedupe.ts";
import { refreshGates } from "../surfaces/github/gate-check.ts";
import { githubApp } from "../surfaces/github/github-app.ts";
import type { GitHubAppDeps } from "../surfaces/github/github-deps.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";

export const GITHUB_WEBHOOKS_PATH = "/api/github/webhooks";

/**
 * The GitHub half of the server: Probot (configured from APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL) mounted at /api/github/webhooks, and the repo registry.
 */
export async function createGitHubSurface(
  env: NodeJS.ProcessEnv,
  deps: GitHubAppDeps,
  options: { throttle?: boolean; log?: PinoLogger; rateLimits?: RateLimitObserver } = {},
) {
  // Throttling spaces writes as GitHub asks of integrations; tests against the fake may switch it off.
  // A function (not an object) so it applies after Probot's own defaults fill the throttle options in
  // (Probot's would not retry a secondary rate limit). With REDIS_URL in `env`, Probot shares the
  // throttling queues of every replica through Redis (ioredis, installed with the bot), except the
  // write queue, kept per replica (see write-queue.ts).
  const Base = options.rateLimits
    ? ProbotOctokit.plugin(options.rateLimits.plugin() as never)
    : ProbotOctokit;
  const Octokit = Base.defaults((o: { throttle?: object }) => ({
    ...o,
    throttle: {
      ...o.throttle,
      ...throttleHandlers(deps.logger),
      write: writeQueue,
      ...(options.throttle === false ? { enabled: false } : {}),
    },
  }));
  // Our pino logger (JSON on stdout, `service` field): Probot's own would print pretty text instead.
  const probot = createProbot({ env, overrides: { Octokit, ...(options.log ? { log: options.log } : {}) } });
  let registry: GitHubRegistry | undefined;
  const withRegistry: GitHubAppDeps = {
    ...deps,
    onRepoSeen: (installationId, owner, repo) => {
      registry?.seen(installationId, owner, repo);
      deps.onRepoSeen?.(installationId, owner, repo);
    },
  };
  registry = new GitHubRegistry(probot, withRegistry);
  const middleware = await createNodeMiddleware(githubApp(withRegistry), {
    probot,
    webhooksPath: GITHUB_WEBHOOKS_PATH,
  });
  const route: RouteHandler = async (req, res) => {
    const handled = await middleware(req, res, () => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found" }));
    });
    if (handled === false && !res.headersSent) {
      res.writeHead(404);
      res.end();
    }
  };
  /** After each evaluation pass: re-evaluate the gate of every open bump PR (SPEC: "and on schedule"). */
  const refreshAllGates = () =>
    registry.eachRepo((octokit, repo) => refreshGates(withRegistry, octokit, repo));
  // Redeliveries and replicas: each X-GitHub-Delivery acts once.
  return { probot, registry, route: dedupeDeliveries(route, deps.dedupe), refreshAllGates };
}
