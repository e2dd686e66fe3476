import { createNodeMiddleware, createProbot, ProbotOctokit } from "probot";
import { GitHubRegistry } from "../adapters/github/github-registry.ts";
import { throttleHandlers } from "../adapters/github/octokit-policy.ts";
import { timedFetch } from "../adapters/github/timed-fetch.ts";
import { writeQueue } from "../adapters/github/write-queue.ts";
import { dedupeDeliveries } from "../surfaces/github/delivery-dedupe.ts";
import { refreshGates } from "../surfaces/github/gate-check.ts";
import { githubApp } from "../surfaces/github/github-app.ts";
import type { GitHubAppDeps } from "../surfaces/github/github-deps.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { boundedBody } from "../surfaces/http/bounded-body.ts";
import { verifiedWebhooks } from "../surfaces/http/github-signature.ts";

export const GITHUB_WEBHOOKS_PATH = "/api/github/webhooks";
/** GitHub caps a webhook payload at 25 MB. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;
/** Bytes of webhook bodies held at once; past it a delivery gets 503 (the schedule reconciles what it missed). */
export const WEBHOOK_BODY_BUDGET = 64 * 1024 * 1024;

/**
 * The GitHub half of the server: Probot (configured from APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL) mounted at /api/github/webhooks, and the repo registry.
 */
export async function createGitHubSurface(
  env: NodeJS.ProcessEnv,
  deps: GitHubAppDeps,
  options: { throttle?: boolean; requestTimeoutMs?: number; retries?: number } = {},
) {
  // Throttling spaces writes as GitHub asks of integrations; tests against the fake may switch it off.
  // A function (not an object) so it applies after Probot's own defaults fill the throttle options in
  // (Probot's would not retry a secondary rate limit). With REDIS_URL in `env`, Probot shares the
  // throttling queues of every replica through Redis (ioredis, installed with the bot), except the
  // write queue, kept per replica (see write-queue.ts).
  const Octokit = ProbotOctokit.defaults((o: { throttle?: object; retry?: object }) => ({
    ...o,
    ...(options.retries === undefined ? {} : { retry: { ...o.retry, retries: options.retries } }),
    throttle: {
      ...o.throttle,
      ...throttleHandlers(deps.logger),
      write: writeQueue,
      ...(options.throttle === false ? { enabled: false } : {}),
    },
  }));
  // Every GitHub request (REST calls and installation-token minting alike) gets a deadline per attempt.
  const request = { fetch: timedFetch(options.requestTimeoutMs) };
  const probot = createProbot({ env, overrides: { Octokit, request } });
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
  const secret = env.WEBHOOK_SECRET;
  if (!secret) throw new Error("WEBHOOK_SECRET is required: webhooks are verified with it");
  // Bounded before anything buffers it, verified before Probot sees it (and logs it), then deduped:
  // redeliveries and replicas act once per X-GitHub-Delivery, and a forged one claims no id.
  const verified = verifiedWebhooks(dedupeDeliveries(route, deps.dedupe), secret, deps.logger);
  const bounded = boundedBody(verified, { limit: WEBHOOK_BODY_LIMIT, budget: WEBHOOK_BODY_BUDGET });
  return { probot, registry, route: bounded, refreshAllGates };
}
