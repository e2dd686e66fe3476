import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small stateful HTTP fake of a vendor API: routes by method and path template, each request
 * checked (auth header, body) before its handler runs; anything unmatched or invalid is recorded as
 * a violation and answered the way the vendor would (401, 400, 404). `assertClean()` fails a test on
 * any violation or on an expected request that never came.
 */

export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface FakeRoute {
  method: string;
  /** `/v1/edge-config/:id/items`. */
  path: string;
  /** Problems with the request (shape, headers); non-empty answers 400. */
  check?(request: FakeRequest): string[];
  handle(request: FakeRequest): { status: number; body?: unknown };
}

export interface FakeService {
  url: string;
  requests: FakeRequest[];
  violations: string[];
  /** The next `count` requests answer `status` (a failing vendor). */
  failNext(status: number, count?: number): void;
  expectRequest(method: string, path: string): void;
  assertClean(): void;
  close(): Promise<void>;
}

export async function startFakeService(options: {
  name: string;
  routes: FakeRoute[];
  /** Whether a request carries valid credentials; false answers 401. */
  authorized(headers: IncomingMessage["headers"]): boolean;
  /** Extra check of every request against the vendor's description (operation exists, body shape). */
  describe?(method: string, path: string, body: unknown): string[];
}): Promise<FakeService> {
  const requests: FakeRequest[] = [];
  const violations: string[] = [];
  const expected: { method: string; path: string }[] = [];
  let failures: { status: number; count: number } | undefined;
  const compiled = options.routes.map((route) => ({
    route,
    regex: new RegExp(`^${route.path.replace(/:(\w+)/g, "(?<$1>[^/]+)")}$`),
  }));
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    let body: unknown;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        violations.push(`${req.method} ${url.pathname}: body is not JSON`);
        return send(400, { message: "invalid JSON" });
      }
    }
    const method = req.method ?? "GET";
    const match = compiled
      .map(({ route, regex }) => ({ route, m: route.method === method ? regex.exec(url.pathname) : null }))
      .find((x) => x.m);
    const request: FakeRequest = {
      method,
      path: url.pathname,
      params: Object.fromEntries(
        Object.entries(match?.m?.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
      ),
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    requests.push(request);
    const described = options.describe?.(method, url.pathname, body) ?? [];
    if (described.length > 0) {
      violations.push(...described.map((p) => `${method} ${url.pathname}: ${p}`));
      return send(400, { message: "invalid request" });
    }
    if (!options.authorized(req.headers))
      return send(401, { message: "unauthorized", echo: req.headers.authorization });
    if (failures && failures.count > 0) {
      failures.count--;
      // A body that echoes the request: the adapter must never repeat it.
      return send(failures.status, { message: "upstream trouble", echo: req.headers.authorization });
    }
    if (!match) {
      violations.push(`${method} ${url.pathname}: no such route in ${options.name}`);
      return send(404, { message: "not found" });
    }
    const problems = match.route.check?.(request) ?? [];
    if (problems.length > 0) {
      violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      return send(400, { message: problems.join("; ") });
    }
    const result = match.route.handle(request);
    send(result.status, result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    failNext(status, count = 1) {
      failures = { status, count };
    },
    expectRequest(method, path) {
      expected.push({ method, path });
    },
    assertClean() {
      const missed = expected.filter(
        (e) => !requests.some((r) => r.method === e.method && r.path === e.path),
      );
      const problems = [
        ...violations,
        ...missed.map((m) => `expected ${m.method} ${m.path}, never received`),
      ];
      if (problems.length > 0) throw new Error(`${options.name} fake:\n${problems.join("\n")}`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
