import http from "node:http";
import https from "node:https";

/**
 * The `fetch` Octokit is given (its `request.fetch`): node:http(s) on keep-alive agents, for what
 * Octokit uses of fetch — a method, string headers, a string or byte body, a signal, redirects — and
 * of its answer: status, url, headers (`get` and iteration), `text()`, `arrayBuffer()`, `json()`,
 * `body`, over the buffered bytes. Node's own fetch (undici's WHATWG implementation: Request,
 * Response, Headers and streams on both sides) costs ≈ 1.1 ms of CPU per GitHub request, this
 * ≈ 0.5 ms (`npx tsx bench/http-fetch.ts`). Anything else (a stream or form body, a Request object)
 * goes to the global fetch. It fails the way fetch does: a TypeError "fetch failed" with the network
 * error as its cause, or the signal's reason.
 */

export interface FetchAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly ok: boolean;
  readonly redirected: boolean;
  /** Lower-case names; repeated headers joined with ", " (`set-cookie` too). */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type GitHubFetch = (input: string | URL, init?: RequestInit) => Promise<FetchAnswer | Response>;

const MAX_REDIRECTS = 20;
/** Idle sockets are closed after 4 s (undici's default), sooner when the server's Keep-Alive hint says so. */
const IDLE_MS = 4_000;
const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  "https:": new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

type Body = string | Uint8Array | undefined;

export const httpFetch: GitHubFetch = (input, init = {}) => fetchWithin(input, init, undefined);

/**
 * httpFetch with a deadline over the whole call (redirects, headers and body), failing with the
 * reason `AbortSignal.timeout` gives ("TimeoutError") — without its signal: a timeout signal, and
 * `AbortSignal.any` to join the caller's, cost timers, listeners and weak references on every GitHub
 * request. What goes to the global fetch gets the signals.
 */
export function httpFetchWithin(timeoutMs: number): GitHubFetch {
  return (input, init = {}) => fetchWithin(input, init, timeoutMs);
}

function fetchWithin(input: Parameters<GitHubFetch>[0], init: RequestInit, timeoutMs: number | undefined) {
  const body = simpleBody(init.body);
  const headers = plainHeaders(init.headers);
  if ((typeof input !== "string" && !(input instanceof URL)) || body === false || headers === undefined) {
    if (timeoutMs === undefined) return fetch(input, init);
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetch(input, {
      ...init,
      signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
    });
  }
  const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  return send(new URL(input), init.method?.toUpperCase() ?? "GET", headers, body, init, deadlineAt);
}

async function send(
  start: URL,
  startMethod: string,
  startHeaders: Record<string, string>,
  startBody: Body,
  init: RequestInit,
  deadlineAt: number | undefined,
): Promise<FetchAnswer> {
  let url = start;
  let method = startMethod;
  let headers = startHeaders;
  let body = startBody;
  for (let hop = 0; ; hop++) {
    const answer = await exchange(url, method, headers, body, init.signal ?? undefined, deadlineAt);
    const location = answer.headers.get("location");
    if (!REDIRECTS.has(answer.status) || location === undefined || init.redirect === "manual")
      return answer.answer(url, hop > 0);
    if (init.redirect === "error" || hop >= MAX_REDIRECTS)
      throw new TypeError("fetch failed", { cause: new Error(`redirect to ${location} not followed`) });
    const next = new URL(location, url);
    // As fetch does: 303 (and 301/302 after a POST) becomes a GET without a body; another origin does
    // not get the credentials.
    if (
      answer.status === 303
        ? method !== "HEAD"
        : (answer.status === 301 || answer.status === 302) && method === "POST"
    ) {
      method = "GET";
      body = undefined;
      headers = withoutKeys(headers, [
        "content-type",
        "content-length",
        "content-encoding",
        "content-language",
        "content-location",
      ]);
    }
    if (next.origin !== url.origin)
      headers = withoutKeys(headers, ["authorization", "cookie", "proxy-authorization"]);
    url = next;
  }
}

interface Answer {
  status: number;
  headers: ReadonlyMap<string, string>;
  answer(url: URL, redirected: boolean): FetchAnswer;
}

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Body,
  signal: AbortSignal | undefined,
  deadlineAt: number | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const left = deadlineAt === undefined ? undefined : deadlineAt - performance.now();
    if (left !== undefined && left <= 0) {
      reject(timedOut());
      return;
    }
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) {
      reject(new TypeError("fetch failed", { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const sized =
      body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
    const client = url.protocol === "https:" ? https : http;
    let expired: DOMException | undefined;
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: unknown) => {
      settle();
      reject(expired ?? (signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error })));
    };
    // Options, not the URL: node would take the URL apart again on every request.
    const options: http.RequestOptions = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || undefined,
      path: url.pathname + url.search,
      method,
      headers: sized,
      agent,
    };
    if (url.username || url.password)
      options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    const req = client.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", fail);
      res.on("end", () => {
        settle();
        const status = res.statusCode ?? 0;
        const received = new Map<string, string>();
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) received.set(name, Array.isArray(value) ? value.join(", ") : value);
        const bytes = NULL_BODY.has(status) || method === "HEAD" ? null : Buffer.concat(chunks);
        resolve({
          status,
          headers: received,
          answer: (at, redirected) =>
            buffered(bytes, status, res.statusMessage ?? "", at.href, redirected, received),
        });
      });
    });
    const onAbort = () => req.destroy(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer =
      left === undefined
        ? undefined
        : setTimeout(() => {
            expired = timedOut();
            req.destroy(expired);
          }, left);
    req.on("error", fail);
    req.end(body);
  });
}

/** What `AbortSignal.timeout` rejects with. */
function timedOut(): DOMException {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

function buffered(
  bytes: Buffer | null,
  status: number,
  statusText: string,
  url: string,
  redirected: boolean,
  headers: ReadonlyMap<string, string>,
): FetchAnswer {
  const text = async () => bytes?.toString("utf8") ?? "";
  return {
    status,
    statusText,
    url,
    redirected,
    ok: status >= 200 && status < 300,
    headers,
    get body() {
      return bytes === null ? null : new Response(bytes).body;
    },
    text,
    json: async () => JSON.parse(await text()) as unknown,
    arrayBuffer: async () => {
      if (bytes === null) return new ArrayBuffer(0);
      const copy = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(copy).set(bytes);
      return copy;
    },
  };
}

/** A body this fetch sends itself (`false`: one for the global fetch). */
function simpleBody(body: RequestInit["body"]): Body | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return false;
}

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> | undefined {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") return undefined;
    out[name.toLowerCase()] = value;
  }
  return out;
}

function withoutKeys(headers: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !keys.includes(name)));
}
