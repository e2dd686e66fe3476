import { createHmac, timingSafeEqual } from "node:crypto";
import type { Dedupe } from "../../ports.ts";
import type { RouteHandler } from "../http/app-server.ts";
import type { BufferedRequest } from "../http/bounded-body.ts";

/**
 * Slack signs each request over its timestamp and body; Bolt refuses a signature that is wrong or a
 * timestamp over five minutes old, but would act again on the same signed request replayed within
 * those five minutes, and accepts a timestamp in the future. Here, before Bolt: a correctly signed
 * request must be dated within five minutes either way, and acts once — its signature is claimed (in
 * the coordination's dedupe, so across replicas) for ten minutes; a replay is acknowledged and dropped.
 * A request this cannot verify goes on to Bolt, which refuses it with 401 (nothing is claimed for it).
 */

export const MAX_SKEW_SECONDS = 5 * 60;
const CLAIM_TTL_MS = 2 * MAX_SKEW_SECONDS * 1000;

function header(req: BufferedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function signed(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const expected = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest("hex")}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function replayGuard(
  route: RouteHandler,
  options: { signingSecret: string; dedupe: Dedupe; now?: () => number },
): RouteHandler {
  return async (req, res) => {
    const buffered = req as BufferedRequest;
    const timestamp = header(buffered, "x-slack-request-timestamp");
    const signature = header(buffered, "x-slack-signature");
    if (!Buffer.isBuffer(buffered.rawBody) || !timestamp || !signature || !options.signingSecret)
      return route(req, res);
    if (!signed(options.signingSecret, timestamp, buffered.rawBody, signature)) return route(req, res);
    // Wall-clock time, as Slack stamps it (not the domain clock commands are driven by).
    const skew = Math.abs((options.now ?? Date.now)() / 1000 - Number(timestamp));
    if (!Number.isFinite(skew) || skew > MAX_SKEW_SECONDS) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "x-slack-request-timestamp is more than 5 minutes off: refused" }));
      return;
    }
    if (!(await options.dedupe.claim(`slack-request:${signature}`, CLAIM_TTL_MS))) {
      // A replay of a request already acted on: acknowledged (Slack needs a 200), nothing done.
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ response_type: "ephemeral", text: "this request was already handled" }));
      return;
    }
    return route(req, res);
  };
}
