import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/core";
import { afterEach, describe, expect, it } from "vitest";
import { octokitRetry } from "../../src/adapters/github/octokit-retry.ts";

/** plugin-retry's policy without its Bottleneck per request: what is retried, how often, what is not. */

let close: (() => void) | undefined;
afterEach(() => close?.());

async function serve(statuses: number[]) {
  const seen: number[] = [];
  const server = createServer((_req, res) => {
    const status = statuses[seen.length] ?? 200;
    seen.push(status);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: status === 200 ? "ok" : "boom" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => server.close();
  const Client = Octokit.plugin(octokitRetry);
  const client = new Client({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    transientRetry: { retryAfterBaseValue: 1 },
  } as never);
  return { client, seen };
}

describe("octokit retry", () => {
  it("retries 5xx up to three times, then gives up", async () => {
    const ok = await serve([502, 503]);
    expect((await ok.client.request("GET /x")).status).toBe(200);
    expect(ok.seen).toEqual([502, 503, 200]);
    close?.();
    const down = await serve([502, 502, 502, 502, 502]);
    await expect(down.client.request("GET /x")).rejects.toMatchObject({ status: 502 });
    expect(down.seen).toHaveLength(4);
  });

  it("never retries what a retry cannot fix, and honours request.retries", async () => {
    const notFound = await serve([404]);
    await expect(notFound.client.request("GET /x")).rejects.toMatchObject({ status: 404 });
    expect(notFound.seen).toEqual([404]);
    close?.();
    const once = await serve([500, 500]);
    await expect(once.client.request("GET /x", { request: { retries: 0 } } as never)).rejects.toMatchObject({
      status: 500,
    });
    expect(once.seen).toEqual([500]);
  });

  it("answers a 409 at once: a stale sha is the caller's to re-read, not the network's to retry", async () => {
    // Retried, a compare-and-swap that lost held the rollout's lease 1 + 4 + 9 s before the caller
    // could re-read: duplicate alerts on three replicas then timed out waiting for it (replicas.test.ts).
    const stale = await serve([409, 200]);
    await expect(stale.client.request("PUT /x")).rejects.toMatchObject({ status: 409 });
    expect(stale.seen).toEqual([409]);
  });
});
