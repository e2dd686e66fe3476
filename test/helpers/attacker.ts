import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTP server standing in for whatever a hostile input points the bot at (an "attacker"
 * URL in a rollout file) or for a metrics source: it records everything that reaches it, and answers
 * as `respond` says (default: a Prometheus answer with one sample).
 */

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Responder = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export const prometheusAnswer =
  (value = "0.001"): Responder =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        status: "success",
        data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, value] }] },
      }),
    );
  };

export async function startRecorder(respond: Responder = prometheusAnswer()) {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= 64 * 1024) chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString("utf8");
    received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    try {
      await respond(req, res, body);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** Every header and body that reached it, as one string to search for leaked secrets. */
    everything: () => JSON.stringify(received),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
