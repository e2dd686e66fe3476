import type { Octokit } from "@octokit/rest";
import type { Logger as PinoLogger } from "pino";
import { createNodeMiddleware, createProbot, ProbotOctokit } from "probot";
import { EtagCache } from "../adapters/github/etag-cache.ts";
import { GitHubRegistry } from "../adapters/github/github-registry.ts";
import { DEFAULT_WEB_URL } from "../adapters/github/github-repo.ts";
import { GitHubRepoStore } from "../adapters/github/github-repo-store.ts";
import { ConcurrencyGroup, RetryLimiter } from "../adapters/github/light-limiters.ts";
import { throttleHandlers } from "../adapters/github/octokit-policy.ts";
import { octokitRetry } from "../adapters/github/octokit-retry.ts";
import type { RateLimitObserver } from "../adapters/github/rate-limit-observer.ts";
import { DEFAULT_TRUST_MS, RepoSnapshots } from "../adapters/github/repo-snapshots.ts";
import { timedFetch } from "../adapters/github/timed-fetch.ts";
import { unpacedWrites, WriteLanes } from "../adapters/github/write-lanes.ts";
import type { Services } from "../commands/services.ts";
import { errorMessage } from "../core/errors.ts";
import { dedupeDeliveries } from "../surfaces/github/delivery-dedupe.ts";
import { githubApp } from "../surfaces/github/github-app.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { boundedBody } from "../surfaces/http/bounded-body.ts";
import { verifiedWebhooks } from "../surfaces/http/github-signature.ts";

export const GITHUB_WEBHOOKS_PATH = "/api/github/webhooks";
/** GitHub caps a webhook payload at 25 MB. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;
/** Bytes of webhook bodies held at once; past it a delivery gets 503 (the schedule reconciles what it missed). */
export const WEBHOOK_BODY_BUDGET = 64 * 1024 * 1024;
/** Conditional reads kept per served repository: two listings, its files, its pull requests, refs. */
const ETAGS_PER_REPO = 24;

/** Web address of the GitHub the App talks to: GHE_HOST (with GHE_PROTOCOL) or github.com. */
export function githubWebUrl(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : DEFAULT_WEB_URL;
}

/**
 * The GitHub half of the server: Probot (configured from APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL) mounted at /api/github/webhooks, the registry of served
 * repositories, and the one factory of their stores (shared ETag cache, the App's bot login, links
 * to the configured host).
 */
export async function createGitHubSurface(
  env: NodeJS.ProcessEnv,
  services: Services,
  options: {
    throttle?: boolean;
    log?: PinoLogger;
    rateLimits?: RateLimitObserver;
    requestTimeoutMs?: number;
    retries?: number;
    /** How long a repository no push changed is trusted without asking GitHub (single process). */
    trustWebhooksMs?: number;
  } = {},
) {
  // Throttling spaces writes as GitHub asks of integrations; tests against the fake may switch it off.
  // A function (not an object) so it applies after Probot's own defaults fill the throttle options in
  // (Probot's would not retry a secondary rate limit). With REDIS_URL in `env`, Probot shares the
  // throttling queues of every replica through Redis (ioredis, installed with the bot), except the
  // write pacing, kept per replica (see write-queue.ts) in WriteLanes: per installation, rollbacks first.
  // Bottleneck's cost per request is cut where the plugins let us: plugin-retry replaced by octokitRetry
  // (same policy), the throttling plugin's per-client retry limiter and, unless clustered, its `global`
  // group by light equivalents (light-limiters.ts).
  const lanes = new WriteLanes();
  const global = new ConcurrencyGroup(10);
  const throttled = options.throttle !== false;
  const plugins = [
    octokitRetry,
    ...(throttled ? [lanes.plugin()] : []),
    ...(options.rateLimits ? [options.rateLimits.plugin()] : []),
  ];
  const Octokit = ProbotOctokit.plugin(...(plugins as never[])).defaults(
    (o: { throttle?: { connection?: unknown }; retry?: object }) => ({
      ...o,
      retry: { enabled: false },
      transientRetry: options.retries === undefined ? {} : { retries: options.retries },
      throttle: {
        ...o.throttle,
        ...throttleHandlers(services.logger),
        write: unpacedWrites,
        retryLimiter: new RetryLimiter(),
        ...(o.throttle?.connection ? {} : { global }),
        ...(throttled ? {} : { enabled: false }),
      },
    }),
  );
  // Our pino logger (JSON on stdout, `service` field): Probot's own would print pretty text instead.
  // Every GitHub request (REST calls and installation-token minting alike) gets a deadline per attempt.
  const request = { fetch: timedFetch(options.requestTimeoutMs) };
  const probot = createProbot({
    env,
    overrides: { Octokit, request, ...(options.log ? { log: options.log } : {}) },
  });
  const etags = new EtagCache();
  // Within the trust window a repository no push changed is not polled (single process: a replica
  // sees neither another's webhooks nor its commits, so with Redis every pass asks GitHub — for free).
  const snapshots = new RepoSnapshots({
    trustMs: services.coordination.kind === "memory" ? (options.trustWebhooksMs ?? DEFAULT_TRUST_MS) : 0,
  });
  const webUrl = githubWebUrl(env);
  let bot: Promise<string | undefined> | undefined;
  // The App's own login (`<slug>[bot]`): only PRs and commits by it are the bot's.
  const botLogin = () => {
    bot ??= (async () => {
      const app = (await probot.auth()) as unknown as Octokit;
      const { data } = await app.rest.apps.getAuthenticated();
      return data?.slug ? `${data.slug}[bot]` : undefined;
    })().catch((error: unknown) => {
      bot = undefined;
      services.logger.warn({ err: errorMessage(error) }, "cannot tell the App's bot login");
      return undefined;
    });
    return bot;
  };
  const storeFor = (
    octokit: unknown,
    repo: { owner: string; repo: string; defaultBranch?: string | undefined },
  ) =>
    new GitHubRepoStore(octokit as Octokit, {
      owner: repo.owner,
      repo: repo.repo,
      etags,
      snapshots,
      webUrl,
      botLogin,
      ...(repo.defaultBranch ? { defaultBranch: repo.defaultBranch } : {}),
    });
  // The read cache holds what a pass reads of every repository: sized to the working set.
  const registry = new GitHubRegistry(probot, storeFor, services.logger, {
    snapshots,
    onSize: (repos) => etags.fit(repos * ETAGS_PER_REPO),
  });
  const middleware = await createNodeMiddleware(githubApp({ services, storeFor, registry }), {
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
  const secret = env.WEBHOOK_SECRET;
  if (!secret) throw new Error("WEBHOOK_SECRET is required: webhooks are verified with it");
  // Bounded before anything buffers it, verified before Probot sees it (and logs it), then deduped:
  // redeliveries and replicas act once per X-GitHub-Delivery, and a forged one claims no id.
  const verified = verifiedWebhooks(
    dedupeDeliveries(route, services.coordination.dedupe),
    secret,
    services.logger,
  );
  const bounded = boundedBody(verified, { limit: WEBHOOK_BODY_LIMIT, budget: WEBHOOK_BODY_BUDGET });
  return { probot, registry, webUrl, route: bounded };
}
