import type { IncomingMessage, ServerResponse } from "node:http";
import { PAGE_PATHS } from "../../core/messages/status-page-url.ts";
import type { RouteHandler } from "../http/app-server.ts";
import { HttpError } from "../http/read-body.ts";
import { rolloutAction } from "./web-actions.ts";
import { CALLBACK_PATH, callback, login, logout } from "./web-auth.ts";
import type { WebDeps } from "./web-deps.ts";
import { events, listPage, rolloutPage } from "./web-pages.ts";

/** The status page's routes, by exact path (app-server routes before reading any body). */

function getOnly(
  handler: (req: IncomingMessage, res: ServerResponse, deps: WebDeps) => Promise<void> | void,
  deps: WebDeps,
): RouteHandler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "use GET");
    await handler(req, res, deps);
  };
}

function asset(body: () => Buffer, type: string): RouteHandler {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "use GET");
    // Addressed by version (`?v=`), so a browser keeps it until the bundle changes.
    res.writeHead(200, {
      "content-type": type,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body());
  };
}

export function webRoutes(deps: WebDeps): Map<string, RouteHandler> {
  return new Map<string, RouteHandler>([
    [PAGE_PATHS.list, getOnly(listPage, deps)],
    [PAGE_PATHS.rollout, getOnly(rolloutPage, deps)],
    ["/events", getOnly(events, deps)],
    ["/rollout/action", (req, res) => rolloutAction(req, res, deps)],
    ["/auth/login", getOnly(login, deps)],
    [CALLBACK_PATH, getOnly(callback, deps)],
    ["/auth/logout", (req, res) => logout(req, res, deps)],
    ["/assets/page.js", asset(() => deps.assets.js, "text/javascript; charset=utf-8")],
    ["/assets/page.css", asset(() => deps.assets.css, "text/css; charset=utf-8")],
  ]);
}
