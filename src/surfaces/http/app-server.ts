import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { InboxDeps } from "../../commands/handle-alerts.ts";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../ports.ts";
import { isAlertSource, receiveAlerts } from "./alert-routes.ts";
import { HttpError } from "./read-body.ts";
import type { ServerMetrics } from "./server-metrics.ts";

/**
 * The one HTTP server. Routes by method and path *before* reading any body, because the GitHub and
 * Slack handlers verify signatures over the raw bytes; later surfaces mount through `extraRoutes`.
 */

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface AppServerDeps {
  inbox: InboxDeps;
  alertToken: string | undefined;
  /** Derives per-repository alert tokens (`rollout alert-token owner/name`). */
  alertTokenKey?: string | undefined;
  metrics: ServerMetrics;
  logger: Logger;
  /** Readiness beyond "the process runs", e.g. "draining" during shutdown. */
  health?: () => { ok: boolean; detail: string };
  /** Exact paths handled elsewhere (Probot, Bolt): called with the untouched request. */
  extraRoutes?: Map<string, RouteHandler>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
  });
  res.end(text);
}

export function createAppServer(deps: AppServerDeps): Server {
  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    let route = "unknown";
    try {
      const extra = deps.extraRoutes?.get(path);
      if (extra) {
        route = path;
        await extra(req, res);
      } else if (req.method === "GET" && path === "/healthz") {
        route = path;
        const health = deps.health?.() ?? { ok: true, detail: "ok" };
        send(res, health.ok ? 200 : 503, { status: health.detail });
      } else if (req.method === "GET" && path === "/metrics") {
        route = path;
        res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
        res.end(await deps.metrics.registry.metrics());
      } else if (path.startsWith("/alerts/")) {
        const source = path.slice("/alerts/".length);
        route = "/alerts/:source";
        if (!isAlertSource(source))
          throw new HttpError(
            404,
            `no alert source '${source.slice(0, 40)}': use alertmanager, grafana or generic`,
          );
        if (req.method !== "POST") throw new HttpError(405, "use POST");
        const log = deps.logger.child({ route: path, delivery: req.headers["x-request-id"] });
        const { status, body } = await receiveAlerts(
          req,
          source,
          { token: deps.alertToken, tokenKey: deps.alertTokenKey },
          {
            ...deps.inbox,
            services: { ...deps.inbox.services, logger: log },
          },
        );
        for (const outcome of body.outcomes) deps.metrics.alerts.inc({ source, result: outcome.result });
        send(res, status, body);
      } else {
        throw new HttpError(404, "not found");
      }
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 401) deps.logger.warn({ route: path }, "unauthenticated request refused");
        // A refused body (too large, or too many large ones at once) is not read any further: close
        // the connection instead of draining what the client still sends.
        const close = error.status === 413 || error.status === 503;
        if (close) res.setHeader("connection", "close");
        send(res, error.status, { error: error.message });
        if (close) res.on("finish", () => req.destroy());
      } else {
        deps.logger.error({ route: path, err: errorMessage(error) }, "request failed");
        if (!res.headersSent) send(res, 500, { error: "internal error" });
      }
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.httpRequests.observe({ route, status: String(res.statusCode) }, seconds);
    }
  });
  // A client trickling a body holds its bytes: a request gets a minute (Node's default is 5).
  server.requestTimeout = 60_000;
  return server;
}
