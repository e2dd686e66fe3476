import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { FaultInjector, type FaultOptions } from "./faults.ts";
import { sha1 } from "./git-objects.ts";
import { handleGraphql } from "./graphql.ts";
import { IGNORED_BY_GITHUB, loadGitHubSpec, matchOperation, validateRequest } from "./openapi.ts";
import { GitHubError, type RouteResult } from "./route-kit.ts";
import { ROUTES } from "./routes.ts";
import { ANONYMOUS_OPERATIONS } from "./routes-apps.ts";
import { OAUTH_PATHS, oauthRoute } from "./routes-oauth.ts";
import { FakeGitHubState } from "./state.ts";

export type { FaultOptions } from "./faults.ts";

/**
 * A stateful GitHub REST API on 127.0.0.1 for adapter tests. Every request is routed and checked
 * by GitHub's OpenAPI description, every GraphQL query (`POST /graphql`) against GitHub's GraphQL
 * schema (graphql.ts); `assertClean()` fails the test on any request the description or the schema
 * rejects, any route the fake does not implement, and any expected request that never came.
 * Reachable as `url` (Octokit `baseUrl`) or as a GitHub Enterprise host (`/api/v3` prefix).
 */

export interface FakeGitHubOptions {
  latencyMs?: number;
  faults?: FaultOptions;
  state?: FakeGitHubState;
  /** Base for `html_url`s (default https://github.com). */
  webUrl?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without query and without the `/api/v3` prefix. */
  path: string;
  query: Record<string, string>;
  operationId: string | undefined;
  pathTemplate: string | undefined;
  body: unknown;
  status: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  faulted: boolean;
  response: unknown;
}

export interface Violation {
  method: string;
  path: string;
  operationId: string | undefined;
  problems: string[];
}

export interface FakeGitHub {
  /** Octokit `baseUrl`. */
  url: string;
  /** `127.0.0.1:port`, for Probot's `GHE_HOST` (with `GHE_PROTOCOL=http`). */
  host: string;
  state: FakeGitHubState;
  requests: RecordedRequest[];
  violations: Violation[];
  /** Requests that count against GitHub's rate limit, and conditional ones answered 304 (free). */
  rateLimit: { counted: number; notModified: number };
  setLatency(ms: number): void;
  setFaults(faults: FaultOptions | undefined): void;
  /** Fail `assertClean()` unless this request arrives (at least once, or exactly `count` times). */
  expectRequest(method: string, pathTemplateOrOperationId: string, count?: number): void;
  /** Requests (not faulted) to an operationId, path template or concrete path. */
  requestsTo(method: string, target: string): RecordedRequest[];
  assertClean(): void;
  close(): Promise<void>;
}

const RATE_LIMIT = 5000;

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  loadGitHubSpec();
  const state = options.state ?? new FakeGitHubState();
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const expectations: Array<{ method: string; target: string; count: number | undefined }> = [];
  const rateLimit = { counted: 0, notModified: 0 };
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  let latencyMs = options.latencyMs ?? 0;
  const faults = new FaultInjector(options.faults);
  let origin = "";

  const matches = (r: RecordedRequest, method: string, target: string) =>
    r.method === method.toUpperCase() &&
    (r.operationId === target || r.pathTemplate === target || r.path === target);
  const requestsTo = (method: string, target: string) =>
    requests.filter((r) => !r.faulted && matches(r, method, target));

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://fake");
    const ghe = url.pathname === "/api/v3" || url.pathname.startsWith("/api/v3/");
    const path = ghe ? url.pathname.slice("/api/v3".length) || "/" : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    // GraphQL: POST /graphql (GHES: /api/graphql, beside /api/v3).
    const graphql = method === "POST" && (url.pathname === "/graphql" || url.pathname === "/api/graphql");
    const match = graphql ? undefined : matchOperation(method, path);
    // The OAuth web flow lives on the web host (github.com, or a GHE host's root), outside the API.
    if (!ghe && OAUTH_PATHS.has(path)) {
      const result = oauthRoute(state, {
        method,
        path,
        query,
        raw: raw.toString("utf8"),
        contentType: String(req.headers["content-type"] ?? ""),
        accept: String(req.headers.accept ?? ""),
      });
      if (result.problems.length > 0)
        violations.push({ method, path, operationId: result.operationId, problems: result.problems });
      requests.push({
        method,
        path,
        query,
        operationId: result.operationId,
        pathTemplate: path,
        body: raw.length > 0 ? raw.toString("utf8") : undefined,
        status: result.status,
        at,
        faulted: false,
        response: result.body,
      });
      res.writeHead(result.status, result.headers);
      res.end(result.body);
      return;
    }
    const problems: string[] = [];
    let body: unknown;
    if (raw.length > 0) {
      const type = String(req.headers["content-type"] ?? "");
      try {
        body = type === "" || /json/i.test(type) ? JSON.parse(raw.toString("utf8")) : raw.toString("utf8");
      } catch {
        problems.push("body is not valid JSON");
        body = raw.toString("utf8");
      }
    }
    if (!graphql) problems.push(...validateRequest(match, { query, body, headers: req.headers }));
    const handler = match ? ROUTES[match.operationId] : undefined;
    if (match && !handler) problems.push(`${match.operationId} is not implemented by the fake GitHub`);
    let operationId = match?.operationId;
    const rejected = problems.filter((p) => !p.endsWith(IGNORED_BY_GITHUB));
    const docsUrl = match?.operation.docsUrl ?? "https://docs.github.com/rest";
    const errorBody = (status: number, message: string, extra: Record<string, unknown> = {}) => ({
      message,
      ...extra,
      documentation_url: docsUrl,
      status: String(status),
    });

    let result: RouteResult;
    let wasFaulted = false;
    const auth = /^(token|bearer)\s+\S+/i.exec(String(req.headers.authorization ?? ""));
    if (!auth && !ANONYMOUS_OPERATIONS.has(match?.operationId ?? "")) {
      result = { status: 401, body: errorBody(401, "Requires authentication") };
    } else if (faults.shouldFault(match?.operationId, match?.pathTemplate)) {
      wasFaulted = true;
      result = faults.response(docsUrl);
    } else if (graphql) {
      const token = String(req.headers.authorization ?? "").split(/\s+/)[1] ?? "";
      const answer = handleGraphql(
        {
          state,
          actor: state.tokens.get(token) ?? state.app.botLogin,
          webUrl: options.webUrl ?? "https://github.com",
        },
        body,
      );
      operationId = `graphql:${answer.fields.join(",")}`;
      problems.push(...answer.problems);
      result = { status: 200, body: answer.body };
    } else if (!match) {
      result = { status: 404, body: errorBody(404, "Not Found") };
    } else if (!handler) {
      result = {
        status: 501,
        body: errorBody(501, `The fake GitHub does not implement ${match.operationId}`),
      };
    } else if (rejected.length > 0) {
      result = { status: 422, body: errorBody(422, `Invalid request.\n\n${rejected.join("\n")}`) };
    } else {
      const token = String(req.headers.authorization ?? "").split(/\s+/)[1] ?? "";
      const api = `${origin}${ghe ? "/api/v3" : ""}`;
      try {
        result = handler({
          state,
          params: match.params,
          query,
          body: (body ?? {}) as Record<string, unknown>,
          headers: req.headers,
          actor: state.tokens.get(token) ?? state.app.botLogin,
          urls: { api, web: options.webUrl ?? "https://github.com" },
          operation: match.operation,
        });
      } catch (error) {
        if (error instanceof GitHubError) {
          result = { status: error.status, body: errorBody(error.status, error.message, error.extra) };
        } else {
          problems.push(`the fake GitHub crashed: ${error instanceof Error ? error.stack : String(error)}`);
          result = { status: 500, body: errorBody(500, "Server Error") };
        }
      }
    }
    if (problems.length > 0) violations.push({ method, path, operationId, problems });

    const headers: Record<string, string> = {
      "x-github-request-id": `FAKE:${requests.length + 1}`,
      ...result.headers,
    };
    let status = result.status;
    let payload = "";
    if (result.body !== undefined && status !== 204) {
      payload = result.contentType ? String(result.body) : JSON.stringify(result.body);
      headers["content-type"] = result.contentType ?? "application/json; charset=utf-8";
    }
    if (method === "GET" && status === 200) {
      headers.etag = `W/"${sha1(payload)}"`;
      const ifNoneMatch = String(req.headers["if-none-match"] ?? "");
      if (
        ifNoneMatch
          .split(/\s*,\s*/)
          .some((tag) => tag.replace(/^W\//, "") === headers.etag?.replace(/^W\//, ""))
      ) {
        status = 304;
        payload = "";
        delete headers["content-type"];
      }
    }
    // GitHub does not charge conditional requests answered 304 against the rate limit.
    if (status === 304) rateLimit.notModified += 1;
    else rateLimit.counted += 1;
    Object.assign(headers, {
      "x-ratelimit-limit": String(RATE_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, RATE_LIMIT - rateLimit.counted)),
      "x-ratelimit-used": String(rateLimit.counted),
      "x-ratelimit-reset": String(resetAt),
      "x-ratelimit-resource": graphql ? "graphql" : "core",
    });
    requests.push({
      method,
      path,
      query,
      operationId,
      pathTemplate: match?.pathTemplate,
      body,
      status,
      at,
      faulted: wasFaulted,
      response: status === 304 ? undefined : result.body,
    });
    if (latencyMs > 0) await sleep(latencyMs);
    res.writeHead(status, headers);
    res.end(payload);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    host: `127.0.0.1:${port}`,
    state,
    requests,
    violations,
    rateLimit,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setFaults: (next) => faults.configure(next),
    expectRequest: (method, target, count) => {
      expectations.push({ method, target, count });
    },
    requestsTo,
    assertClean: () => {
      const lines: string[] = [];
      for (const v of violations) {
        const what = `${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ""}`;
        for (const problem of v.problems) lines.push(`  ${what}: ${problem}`);
      }
      const unmet = expectations.flatMap(({ method, target, count }) => {
        const seen = requestsTo(method, target).length;
        const okCount = count === undefined ? seen >= 1 : seen === count;
        return okCount
          ? []
          : [`  ${method.toUpperCase()} ${target}: expected ${count ?? "at least 1"}, got ${seen}`];
      });
      if (lines.length === 0 && unmet.length === 0) return;
      const parts = [
        ...(lines.length > 0
          ? ["requests GitHub's OpenAPI description (or the fake) rejects:", ...lines]
          : []),
        ...(unmet.length > 0 ? ["expected requests that did not come:", ...unmet] : []),
      ];
      throw new Error(`fake GitHub is not clean:\n${parts.join("\n")}`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
