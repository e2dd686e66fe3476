import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timedFetch } from "../../src/adapters/github/timed-fetch.ts";
import { httpFetch } from "../../src/adapters/http/http-fetch.ts";

// The fetch Octokit is given, against real HTTP servers on loopback: what Octokit reads of the answer,
// redirects as fetch follows them, failures as fetch reports them, sockets kept alive.

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: number;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const sockets = new WeakMap<object, number>();
  let next = 0;
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (!sockets.has(req.socket)) sockets.set(req.socket, next++);
    const s = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body,
      socket: sockets.get(req.socket)!,
    };
    seen.push(s);
    handler(req, res, s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())), server };
}

let main: Awaited<ReturnType<typeof serve>>;
let other: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  other = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ at: "other", path: req.url }));
  });
  main = await serve((req, res, seen) => {
    const path = req.url ?? "/";
    if (path === "/json") {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.writeHead(201, "Made", {
        "content-type": "application/json; charset=utf-8",
        "x-ratelimit-remaining": "4999",
      });
      res.end(JSON.stringify({ got: seen.body, method: req.method }));
    } else if (path === "/empty") {
      res.writeHead(204);
      res.end();
    } else if (path === "/not-modified") {
      res.writeHead(304, { etag: '"x"' });
      res.end();
    } else if (path === "/moved") {
      res.writeHead(301, { location: "/json" });
      res.end();
    } else if (path === "/see-other") {
      res.writeHead(303, { location: "/json" });
      res.end();
    } else if (path === "/temporary") {
      res.writeHead(307, { location: "/json" });
      res.end();
    } else if (path === "/elsewhere") {
      res.writeHead(302, { location: `${other.url}/landed` });
      res.end();
    } else if (path === "/loop") {
      res.writeHead(302, { location: "/loop" });
      res.end();
    } else if (path === "/slow") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
      setTimeout(() => res.end("done"), 2_000);
    } else if (path === "/cut") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"half":');
      setTimeout(() => req.socket.destroy(), 50);
    } else if (path === "/hang-up") {
      req.socket.destroy();
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    }
  });
});

afterAll(async () => {
  main.server.closeAllConnections();
  other.server.closeAllConnections();
  await Promise.all([main.close(), other.close()]);
});

describe("httpFetch", () => {
  it("sends the method, headers and body, and answers with status, url, headers and body", async () => {
    const answer = await httpFetch(`${main.url}/json`, {
      method: "POST",
      headers: { Accept: "application/vnd.github+json", authorization: "token t" },
      body: JSON.stringify({ x: "é" }),
    });
    expect(answer.status).toBe(201);
    expect(answer.statusText).toBe("Made");
    expect(answer.ok).toBe(true);
    expect(answer.url).toBe(`${main.url}/json`);
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(answer.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(Object.fromEntries(answer.headers)).toMatchObject({ "x-ratelimit-remaining": "4999" });
    expect(await answer.json()).toEqual({ got: '{"x":"é"}', method: "POST" });
    const request = main.seen.at(-1)!;
    expect(request.headers.accept).toBe("application/vnd.github+json");
    expect(request.headers["content-length"]).toBe(String(Buffer.byteLength('{"x":"é"}')));
  });

  it("gives the bytes as text, an ArrayBuffer and a stream", async () => {
    const answer = await httpFetch(`${main.url}/json`);
    const bytes = new Uint8Array(await answer.arrayBuffer());
    expect(new TextDecoder().decode(bytes)).toBe(await answer.text());
    const streamed = await new Response(answer.body).text();
    expect(JSON.parse(streamed)).toEqual({ got: "", method: "GET" });
  });

  it("answers 204 and 304 with no body, 404 with its message", async () => {
    const empty = await httpFetch(`${main.url}/empty`, { method: "DELETE" });
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, ""]);
    const cached = await httpFetch(`${main.url}/not-modified`, { headers: { "if-none-match": '"x"' } });
    expect([cached.status, cached.headers.get("etag"), await cached.text()]).toEqual([304, '"x"', ""]);
    const missing = await httpFetch(`${main.url}/nope`);
    expect([missing.status, missing.ok, await missing.json()]).toEqual([
      404,
      false,
      { message: "Not Found" },
    ]);
  });

  it("follows redirects as fetch does: 301 and 303 as GETs, 307 keeping the method and body", async () => {
    const moved = await httpFetch(`${main.url}/moved`);
    expect([moved.status, moved.url, moved.redirected]).toEqual([201, `${main.url}/json`, true]);
    const seeOther = await httpFetch(`${main.url}/see-other`, { method: "POST", body: "x" });
    expect(await seeOther.json()).toEqual({ got: "", method: "GET" });
    const temporary = await httpFetch(`${main.url}/temporary`, { method: "PUT", body: "kept" });
    expect(await temporary.json()).toEqual({ got: "kept", method: "PUT" });
    const manual = await httpFetch(`${main.url}/moved`, { redirect: "manual" });
    expect([manual.status, manual.headers.get("location")]).toEqual([301, "/json"]);
    await expect(httpFetch(`${main.url}/loop`)).rejects.toThrow(TypeError);
  });

  it("does not send credentials to another origin it is redirected to", async () => {
    const answer = await httpFetch(`${main.url}/elsewhere`, { headers: { authorization: "token secret" } });
    expect(await answer.json()).toEqual({ at: "other", path: "/landed" });
    expect(main.seen.at(-1)!.headers.authorization).toBe("token secret");
    expect(other.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it("keeps the connection alive between requests", async () => {
    const before = main.seen.length;
    for (let i = 0; i < 3; i++) await (await httpFetch(`${main.url}/json`)).text();
    const sockets = new Set(main.seen.slice(before).map((s) => s.socket));
    expect(sockets.size).toBe(1);
  });

  it("fails as fetch does: a refused connection is a TypeError with its cause", async () => {
    const closed = await serve(() => {});
    await closed.close();
    const error = (await httpFetch(`${closed.url}/x`).catch((e: unknown) => e)) as TypeError & {
      cause: Error;
    };
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("fetch failed");
    expect(error.cause.message).toMatch(/ECONNREFUSED/);
    const hangUp = await httpFetch(`${main.url}/hang-up`).catch((e: unknown) => e as TypeError);
    expect(hangUp).toBeInstanceOf(TypeError);
    // A body cut short is an error, never half an answer.
    const cut = await httpFetch(`${main.url}/cut`).catch((e: unknown) => e as TypeError);
    expect(cut).toBeInstanceOf(TypeError);
  });

  it("stops at its deadline, mid-answer too, with the signal's reason", async () => {
    const started = Date.now();
    const error = (await timedFetch(200)(`${main.url}/slow`).catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.name).toBe("TimeoutError");
    const aborted = new AbortController();
    aborted.abort(new Error("gone"));
    await expect(httpFetch(`${main.url}/json`, { signal: aborted.signal })).rejects.toThrow("gone");
  });

  it("hands what it does not send itself to the global fetch", async () => {
    const answer = await httpFetch(`${main.url}/json`, {
      method: "POST",
      body: new URLSearchParams({ a: "1" }),
    });
    expect(await answer.json()).toEqual({ got: "a=1", method: "POST" });
  });
});
