import { readCapped } from "../http/read-capped.ts";
import { FlagServiceError, statusHint } from "./flag-service-error.ts";

/** One JSON request to a flag service: a timeout, a bounded response, errors summarised. */

export interface FlagRequest {
  method: "GET" | "POST" | "PUT" | "PATCH";
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
  /** Statuses that are answers, not failures (e.g. 404 for "no such item yet"). */
  accept?: number[];
}

export interface FlagHttpOptions {
  service: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Responses larger than this are refused (default 1 MiB): a flag's state is small. */
  maxBytes?: number;
}

export interface FlagResponse {
  status: number;
  json: unknown;
}

export async function flagRequest(request: FlagRequest, options: FlagHttpOptions): Promise<FlagResponse> {
  const where = `${options.service}: ${request.method} ${request.url.pathname}`;
  const headers: Record<string, string> = { accept: "application/json", ...request.headers };
  if (request.body !== undefined) headers["content-type"] ??= "application/json";
  let response: Response;
  try {
    const init: RequestInit = {
      method: request.method,
      headers,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: "error",
    };
    if (request.body !== undefined) init.body = JSON.stringify(request.body);
    response = await (options.fetch ?? fetch)(request.url, init);
  } catch (error) {
    const name = (error as Error).name;
    const why =
      name === "TimeoutError" ? `no answer within ${options.timeoutMs / 1000}s` : `cannot connect (${name})`;
    throw new FlagServiceError(`${where}: ${why}`);
  }
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const body = await readCapped(response, maxBytes);
  if (!body.ok)
    throw new FlagServiceError(`${where}: the answer is larger than ${Math.round(maxBytes / 1024)} KiB`);
  const text = body.text;
  const ok = response.ok || (request.accept ?? []).includes(response.status);
  if (!ok)
    throw new FlagServiceError(
      `${where} answered ${response.status}: ${statusHint(response.status)}`,
      response.status,
    );
  if (text === "") return { status: response.status, json: undefined };
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    throw new FlagServiceError(`${where} answered ${response.status} with a body that is not JSON`);
  }
}

/** Joins a base URL (maybe with a path, like /api/v1) and a path of encoded segments. */
export function serviceUrl(
  base: string,
  segments: string[],
  query: Record<string, string | undefined> = {},
): URL {
  // A `.` or `..` segment would be resolved away by URL and steer the request to another endpoint.
  if (segments.slice(0, -1).some((s) => s === "" || s === "." || s === "..")) {
    throw new FlagServiceError("refusing a request path with an empty, . or .. segment");
  }
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, "");
  url.pathname = `${prefix}/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url;
}

/** Unleash, LaunchDarkly and Flagsmith keep a flag's state per environment: the entry must name one. */
export function requireEnvironment(
  service: string,
  ref: { flag: string; environment?: string | undefined },
): string {
  if (!ref.environment) throw new FlagServiceError(`${service}: flag '${ref.flag}' needs an environment`);
  return ref.environment;
}
