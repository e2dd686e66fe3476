import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { FakeGitHubState } from "./state.ts";

/**
 * GitHub's OAuth web flow for a GitHub App's own client, which is not in the REST OpenAPI
 * description (it lives on github.com, not api.github.com): implemented from its documented shapes
 * ("Generating a user access token for a GitHub App", "Troubleshooting OAuth App access token request
 * errors"). Requests are checked like the API ones: a parameter GitHub does not document, a wrong
 * client or callback URL, a reused or expired code is a violation that fails `assertClean()`.
 *
 * - `GET /login/oauth/authorize`: the consent page; with `oauth.signedIn` set, the person is already
 *   signed in and has authorised the App, so GitHub redirects straight back with `code` and `state`.
 *   Otherwise a sign-in form (a login field) posts to `POST /login/oauth/authorize` (the fake's).
 * - `POST /login/oauth/access_token`: the code exchange. Always HTTP 200, errors in the body
 *   (`bad_verification_code`, `incorrect_client_credentials`, `redirect_uri_mismatch`), JSON when the
 *   client asks for it, form-encoded otherwise. Codes are single-use and expire after ten minutes.
 */

export interface OAuthClientState {
  clientId: string;
  clientSecret: string;
  /** The App's registered callback URLs; `redirect_uri` must be one of them (or below one). */
  callbackUrls: string[];
  /** The person signed in on GitHub, who has authorised the App already; unset: the sign-in form. */
  signedIn?: string;
  codes: Map<string, { login: string; redirectUri: string | undefined; expiresAt: number; used: boolean }>;
  /** User-to-server tokens issued, by login. */
  issued: { login: string; token: string }[];
}

export const OAUTH_PATHS = new Set(["/login/oauth/authorize", "/login/oauth/access_token"]);

export interface OAuthResult {
  status: number;
  body: string;
  headers: Record<string, string>;
  operationId: string;
  problems: string[];
}

const CODE_TTL_MS = 10 * 60_000;
const ERROR_URI =
  "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

const AuthorizeQuery = z.strictObject({
  client_id: z.string().min(1),
  redirect_uri: z.url().optional(),
  state: z.string().optional(),
  login: z.string().optional(),
  allow_signup: z.enum(["true", "false"]).optional(),
  prompt: z.literal("select_account").optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.literal("S256").optional(),
});

const TokenBody = z.strictObject({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  code: z.string().min(1),
  redirect_uri: z.url().optional(),
  repository_id: z.string().optional(),
  code_verifier: z.string().optional(),
});

function callbackAllowed(client: OAuthClientState, uri: string): boolean {
  return client.callbackUrls.some(
    (registered) => uri === registered || uri.startsWith(`${registered.replace(/\/$/, "")}/`),
  );
}

const escapeText = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, body: string, problems: string[] = []): OAuthResult {
  return {
    status,
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escapeText(title)}</title></head><body><h1>${escapeText(title)}</h1>${body}</body></html>`,
    headers: { "content-type": "text/html; charset=utf-8" },
    operationId: "oauth/authorize",
    problems,
  };
}

function redirectWithCode(
  state: FakeGitHubState,
  login: string,
  redirectUri: string | undefined,
  stateParam: string | undefined,
): OAuthResult {
  const client = state.oauth;
  const code = randomBytes(10).toString("hex");
  client.codes.set(code, {
    login,
    redirectUri,
    expiresAt: state.clock.now().getTime() + CODE_TTL_MS,
    used: false,
  });
  const target = new URL(redirectUri ?? client.callbackUrls[0] ?? "");
  target.searchParams.set("code", code);
  if (stateParam !== undefined) target.searchParams.set("state", stateParam);
  return {
    status: 302,
    body: "",
    headers: { location: target.toString() },
    operationId: "oauth/authorize",
    problems: [],
  };
}

function authorize(
  state: FakeGitHubState,
  method: string,
  query: Record<string, string>,
  form: Record<string, string>,
): OAuthResult {
  const params = method === "POST" ? { ...query, ...form } : query;
  const login = method === "POST" ? params.fake_login : undefined;
  delete params.fake_login;
  const parsed = AuthorizeQuery.safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `authorize: ${i.path.join(".") || "query"}: ${i.message}`,
    );
    return page(
      400,
      "Invalid request",
      "<p>GitHub could not make sense of this sign-in request.</p>",
      problems,
    );
  }
  const q = parsed.data;
  const client = state.oauth;
  if (q.client_id !== client.clientId)
    return page(404, "Not Found", "", [`authorize: unknown client_id ${q.client_id}`]);
  if (q.redirect_uri !== undefined && !callbackAllowed(client, q.redirect_uri))
    return page(
      400,
      "Redirect URI mismatch",
      "<p>The redirect_uri is not associated with this application.</p>",
      [`authorize: redirect_uri ${q.redirect_uri} is not a registered callback URL`],
    );
  const who = login?.trim() || client.signedIn;
  if (who) return redirectWithCode(state, who, q.redirect_uri, q.state);
  const hidden = Object.entries(q)
    .map(([k, v]) => `<input type="hidden" name="${escapeText(k)}" value="${escapeText(String(v))}">`)
    .join("");
  return page(
    200,
    `Sign in to GitHub to continue to ${state.app.slug}`,
    `<form method="post" action="/login/oauth/authorize">${hidden}<label for="login">Username</label><input id="login" name="fake_login" autocomplete="username"><button type="submit">Authorize ${escapeText(state.app.slug)}</button></form>`,
  );
}

function tokenError(error: string, description: string, asJson: boolean, problems: string[]): OAuthResult {
  return tokenAnswer(
    { error, error_description: description, error_uri: `${ERROR_URI}#${error.replace(/_/g, "-")}` },
    asJson,
    problems,
  );
}

function tokenAnswer(
  body: Record<string, string | number>,
  asJson: boolean,
  problems: string[] = [],
): OAuthResult {
  return {
    status: 200,
    body: asJson
      ? JSON.stringify(body)
      : new URLSearchParams(
          Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString(),
    headers: {
      "content-type": asJson
        ? "application/json; charset=utf-8"
        : "application/x-www-form-urlencoded; charset=utf-8",
    },
    operationId: "oauth/access-token",
    problems,
  };
}

function accessToken(
  state: FakeGitHubState,
  method: string,
  form: Record<string, string>,
  asJson: boolean,
): OAuthResult {
  if (method !== "POST")
    return tokenError("invalid_request", "use POST", asJson, ["access_token: not a POST"]);
  const parsed = TokenBody.safeParse(form);
  if (!parsed.success)
    return tokenError(
      "invalid_request",
      "missing or unknown parameters",
      asJson,
      parsed.error.issues.map((i) => `access_token: ${i.path.join(".")}: ${i.message}`),
    );
  const b = parsed.data;
  const client = state.oauth;
  if (b.client_id !== client.clientId || b.client_secret !== client.clientSecret)
    return tokenError(
      "incorrect_client_credentials",
      "The client_id and/or client_secret passed are incorrect.",
      asJson,
      ["access_token: wrong client credentials"],
    );
  const grant = client.codes.get(b.code);
  if (!grant || grant.used || grant.expiresAt <= state.clock.now().getTime())
    return tokenError("bad_verification_code", "The code passed is incorrect or expired.", asJson, [
      `access_token: code ${grant?.used ? "used twice" : "unknown or expired"}`,
    ]);
  if (b.redirect_uri !== undefined && grant.redirectUri !== undefined && b.redirect_uri !== grant.redirectUri)
    return tokenError(
      "redirect_uri_mismatch",
      "The redirect_uri MUST match the registered callback URL for this application.",
      asJson,
      ["access_token: redirect_uri differs from the authorize request's"],
    );
  grant.used = true;
  const token = `ghu_${randomBytes(18).toString("base64url")}`;
  state.addToken(token, grant.login);
  client.issued.push({ login: grant.login, token });
  return tokenAnswer(
    {
      access_token: token,
      expires_in: 28_800,
      refresh_token: `ghr_${randomBytes(30).toString("base64url")}`,
      refresh_token_expires_in: 15_897_600,
      scope: "",
      token_type: "bearer",
    },
    asJson,
  );
}

export function oauthRoute(
  state: FakeGitHubState,
  request: {
    method: string;
    path: string;
    query: Record<string, string>;
    raw: string;
    contentType: string;
    accept: string;
  },
): OAuthResult {
  let form: Record<string, string> = {};
  if (request.raw !== "") {
    if (/json/i.test(request.contentType)) {
      try {
        form = Object.fromEntries(
          Object.entries(JSON.parse(request.raw) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
        );
      } catch {
        form = {};
      }
    } else form = Object.fromEntries(new URLSearchParams(request.raw));
  }
  if (request.path === "/login/oauth/authorize") return authorize(state, request.method, request.query, form);
  return accessToken(state, request.method, form, /application\/json/i.test(request.accept));
}
