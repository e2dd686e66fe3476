import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GitHubOAuth } from "../adapters/github/github-oauth.ts";
import type { Services } from "../commands/services.ts";
import type { Logger, RepoRegistry, UserSignIn } from "../ports.ts";
import type { RouteHandler } from "../surfaces/http/app-server.ts";
import { LiveUpdates } from "../surfaces/web/live-updates.ts";
import { CookieSigner } from "../surfaces/web/session.ts";
import type { WebDeps } from "../surfaces/web/web-deps.ts";
import { webRoutes } from "../surfaces/web/web-routes.ts";
import type { ServerEnv } from "./server-env.ts";

/**
 * The status page's wiring: its browser bundle (dist/web, built by scripts/build.mjs), GitHub sign-in
 * from the App's own OAuth client (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, SESSION_SECRET, PUBLIC_URL),
 * and its live updates, fed by every status the notifier posts.
 */

export type WebEnv = Pick<
  ServerEnv,
  "PUBLIC_URL" | "GITHUB_CLIENT_ID" | "GITHUB_CLIENT_SECRET" | "SESSION_SECRET" | "GHE_HOST" | "GHE_PROTOCOL"
>;

/** The built bundle beside the server bundle (dist/web), or dist/web of the checkout when run from src. */
export function webAssets(): WebDeps["assets"] {
  const dirs = [new URL("./web/", import.meta.url), new URL("../../dist/web/", import.meta.url)];
  for (const dir of dirs) {
    const js = fileURLToPath(new URL("page.js", dir));
    const css = fileURLToPath(new URL("page-style.css", dir));
    if (existsSync(js) && existsSync(css)) return { js: readFileSync(js), css: readFileSync(css) };
  }
  // Without the bundle the page still renders on the server: no charts, no live updates.
  return { js: Buffer.from("/* npm run build makes the status page's script */"), css: Buffer.from("") };
}

/** Open pages refresh after every posted status and every 30 s (health and bake time drift). */
export function liveUpdates(logger: Logger, refreshMs = 30_000): LiveUpdates {
  return new LiveUpdates({ logger: logger.child({ surface: "web" }), refreshMs });
}

export function githubSignIn(env: WebEnv): UserSignIn | undefined {
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) return undefined;
  const apiUrl = env.GHE_HOST
    ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3`
    : "https://api.github.com";
  return new GitHubOAuth({ clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET, apiUrl });
}

export interface WebSurface {
  routes: Map<string, RouteHandler>;
  live: LiveUpdates;
  /** Ends the open event streams (before the HTTP server closes, which waits for them). */
  close(): void;
}

export function createWebSurface(options: {
  env: WebEnv;
  services: Services;
  registry: RepoRegistry;
  live: LiveUpdates;
  /** Local mode (ROLLOUT_REPO_DIR, the demo): loopback viewers need no sign-in when none is configured. */
  localMode: boolean;
  signIn?: UserSignIn;
}): WebSurface {
  const { env, live } = options;
  const signIn = options.signIn ?? githubSignIn(env);
  const deps: WebDeps = {
    services: options.services,
    registry: options.registry,
    signer: new CookieSigner(env.SESSION_SECRET),
    signIn,
    localMode: options.localMode,
    publicUrl: env.PUBLIC_URL,
    assets: webAssets(),
    live,
    logger: options.services.logger.child({ surface: "web" }),
  };
  return { routes: webRoutes(deps), live, close: () => live.close() };
}

/** Mounts the page beside the other routes; `/` stays the App registration page while nothing is served. */
export function mountWeb(routes: Map<string, RouteHandler>, web: WebSurface, serving: boolean): void {
  for (const [path, route] of web.routes) if (serving || !routes.has(path)) routes.set(path, route);
}
