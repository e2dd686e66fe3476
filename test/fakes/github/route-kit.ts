import type { IncomingHttpHeaders } from "node:http";
import type { Repo } from "./model.ts";
import type { Operation } from "./openapi.ts";
import type { Urls } from "./shapes-common.ts";
import type { FakeGitHubState } from "./state.ts";

/** What every route handler gets and returns, and the errors it throws in GitHub's shape. */

export interface RouteContext {
  state: FakeGitHubState;
  /** Path parameters, decoded (`ref` is `heads/main` whether the client sent `%2F` or `/`). */
  params: Record<string, string>;
  query: Record<string, string>;
  /** The JSON body; already checked against the operation's schema, so handlers may cast it. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Login the token acts as. */
  actor: string;
  urls: Urls;
  operation: Operation;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as is (a string) with this content type instead of JSON. */
  contentType?: string;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult;

/**
 * An error response as GitHub sends it: `{ message, documentation_url, status }`, plus `errors`
 * for 422 "Validation Failed". Octokit turns `message` (and `errors`) into `RequestError.message`.
 */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (): GitHubError => new GitHubError(404, "Not Found");

/** 422 with GitHub's `errors` array, the form `pulls/create` and friends use. */
export function validationFailed(errors: Array<Record<string, unknown>>): GitHubError {
  return new GitHubError(422, "Validation Failed", { errors });
}

export function ok(body: unknown, status = 200, headers?: Record<string, string>): RouteResult {
  return headers ? { status, body, headers } : { status, body };
}

export function repoOf(ctx: RouteContext): Repo {
  const { owner, repo } = ctx.params;
  const found = owner && repo ? ctx.state.findRepo(owner, repo) : undefined;
  if (!found) throw notFound();
  return found;
}

export function intParam(ctx: RouteContext, name: string): number {
  return Number(ctx.params[name]);
}

/**
 * `per_page` (default 30, max 100) and `page`, with a `Link` header in GitHub's form so that
 * `octokit.paginate` walks the pages.
 */
export function paginate<T>(ctx: RouteContext, items: T[], wrap?: (page: T[]) => unknown): RouteResult {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.page ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const links: string[] = [];
  const pageUrl = (n: number) => {
    const query = new URLSearchParams({ ...ctx.query, per_page: String(perPage), page: String(n) });
    const path = ctx.operation.pathTemplate.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(ctx.params[name] ?? ""),
    );
    return `<${ctx.urls.api}${path}?${query}>`;
  };
  if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
  if (page > 1) links.push(`${pageUrl(1)}; rel="first"`, `${pageUrl(page - 1)}; rel="prev"`);
  const headers: Record<string, string> = links.length > 0 ? { link: links.join(", ") } : {};
  return { status: 200, body: wrap ? wrap(slice) : slice, headers };
}

/** Newest first, by an ISO timestamp field. */
export function newestFirst<T>(items: T[], at: (item: T) => string): T[] {
  return [...items].sort((a, b) => (at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : 0));
}
