import { createNodeMiddleware, createProbot, ProbotOctokit } from "probot";
import type { RouteHandler } from "../http/app-server.ts";
import { refreshGates } from "./gate-check.ts";
import { githubApp } from "./github-app.ts";
import type { GitHubAppDeps } from "./github-deps.ts";
import { GitHubRegistry } from "./github-registry.ts";

export const GITHUB_WEBHOOKS_PATH = "/api/github/webhooks";

/**
 * The GitHub half of the server: Probot (configured from APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL) mounted at /api/github/webhooks, and the repo registry.
 */
export async function createGitHubSurface(
  env: NodeJS.ProcessEnv,
  deps: GitHubAppDeps,
  options: { throttle?: boolean } = {},
) {
  // Throttling spaces writes as GitHub asks of integrations; tests against the fake switch it off.
  // A function (not an object) so it applies after Probot's own defaults fill the throttle options in.
  const unthrottled = ProbotOctokit.defaults((o: { throttle?: object }) => ({
    ...o,
    throttle: { ...o.throttle, enabled: false },
  }));
  const overrides = options.throttle === false ? { Octokit: unthrottled } : {};
  const probot = createProbot({ env, overrides });
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
  return { probot, registry, route, refreshAllGates };
}
