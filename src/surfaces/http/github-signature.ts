import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Logger } from "../../ports.ts";
import type { RouteHandler } from "./app-server.ts";
import type { BufferedRequest } from "./bounded-body.ts";
import { HttpError } from "./read-body.ts";

/**
 * Checks `X-Hub-Signature-256` over the body boundedBody read, before Probot sees the request: Probot
 * logs a refused delivery's error with the event attached, body and all (a 200 MiB unsigned POST was
 * written to the log three times). Refused here, it is logged as one line without its body, and never
 * claims a delivery id.
 */
export function verifiedWebhooks(handler: RouteHandler, secret: string, logger: Logger): RouteHandler {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return async (req, res) => {
    if (req.method !== "POST") return handler(req, res);
    const body = (req as Partial<BufferedRequest>).rawBody;
    const given = req.headers["x-hub-signature-256"];
    const expected = body ? `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` : "";
    if (!body || typeof given !== "string" || !timingSafeEqual(digest(given), digest(expected))) {
      const delivery = req.headers["x-github-delivery"];
      const event = req.headers["x-github-event"];
      logger.warn(
        {
          delivery: typeof delivery === "string" ? delivery.slice(0, 100) : undefined,
          event: typeof event === "string" ? event.slice(0, 50) : undefined,
          bytes: body?.length,
          signed: typeof given === "string",
        },
        "webhook refused: signature does not match",
      );
      throw new HttpError(401, "signature does not match the body and the webhook secret");
    }
    return handler(req, res);
  };
}
