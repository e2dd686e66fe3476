import type { Dedupe } from "../../ports.ts";
import type { RouteHandler } from "../http/app-server.ts";

/**
 * A webhook delivery acts once across redeliveries and replicas: its `X-GitHub-Delivery` id is
 * claimed for a day before Probot handles it. A delivery Probot refuses (bad signature) or fails on
 * gives its claim back, so a forged request cannot burn a real id and a redelivery can retry.
 */
export const DELIVERY_TTL_MS = 24 * 3_600_000;

export function dedupeDeliveries(route: RouteHandler, dedupe: Dedupe): RouteHandler {
  return async (req, res) => {
    const id = req.headers["x-github-delivery"];
    if (req.method !== "POST" || typeof id !== "string" || !/^[\w-]{1,100}$/.test(id)) return route(req, res);
    const key = `delivery:${id}`;
    if (!(await dedupe.claim(key, DELIVERY_TTL_MS))) {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, duplicate: true }));
      return;
    }
    try {
      await route(req, res);
    } catch (error) {
      await dedupe.release(key);
      throw error;
    }
    if (res.statusCode >= 400) await dedupe.release(key);
  };
}
