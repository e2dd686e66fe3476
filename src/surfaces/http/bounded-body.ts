import type { IncomingMessage } from "node:http";
import type { RouteHandler } from "./app-server.ts";
import { HttpError } from "./read-body.ts";

/**
 * Reads a route's body before its handler (Probot, Bolt) can: refused with 413 past `limit` (at once
 * when Content-Length says so, else as soon as the bytes do), and with 503 when the route's requests in
 * flight already hold `budget` bytes, so ten oversized requests at once cost at most `budget`. The
 * handler then finds the bytes where Probot and Bolt look for an already-read body (`rawBody`).
 */

export interface BodyBounds {
  /** Bytes one request may send. */
  limit: number;
  /** Bytes all requests of this route being read (or handled) at once may hold. */
  budget: number;
}

export type BufferedRequest = IncomingMessage & { rawBody: Buffer; body: object };

export function boundedBody(handler: RouteHandler, bounds: BodyBounds): RouteHandler {
  let held = 0;
  return async (req, res) => {
    if (req.method !== "POST") return handler(req, res);
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    if (declared > bounds.limit) throw new HttpError(413, `body larger than ${bounds.limit} bytes`);
    const mine = { bytes: 0 };
    try {
      const buffered = req as BufferedRequest;
      buffered.rawBody = await read(req, (bytes) => {
        mine.bytes += bytes;
        held += bytes;
        if (mine.bytes > bounds.limit) return new HttpError(413, `body larger than ${bounds.limit} bytes`);
        if (held > bounds.budget) return new HttpError(503, "too many large requests at once: retry later");
        return undefined;
      });
      // Probot reads `rawBody` when `body` is an object; Bolt whenever `rawBody` is a Buffer.
      buffered.body = {};
      await handler(req, res);
    } finally {
      held -= mine.bytes;
    }
  };
}

/** Stops reading (pauses, keeps the socket for the 413) the moment `charge` refuses a chunk. */
function read(req: IncomingMessage, charge: (bytes: number) => HttpError | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stop = (error: Error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.pause();
      chunks.length = 0;
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      const refused = charge(chunk.length);
      if (refused) stop(refused);
      else chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.once("error", () => stop(new HttpError(400, "could not read the request body")));
  });
}
