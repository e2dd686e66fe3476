import type { IncomingMessage, ServerResponse } from "node:http";
import { serialize } from "cookie";
import { errorMessage } from "../../core/errors.ts";
import { HttpError } from "../http/read-body.ts";
import { OAuthState, randomToken, sameToken } from "./session.ts";
import { cookieOf, currentViewer, newSession, secureCookies, sessionCookie } from "./viewer.ts";
import type { WebDeps } from "./web-deps.ts";
import { messagePage, readForm, redirect, sameOrigin, sendHtml } from "./web-http.ts";

/**
 * Sign-in with GitHub: the App's own OAuth client (web flow). A random `state` travels in a signed,
 * HttpOnly, ten-minute cookie and must come back unchanged; the code is exchanged server-side (the
 * client secret never leaves the server); the user token is used once for the login and dropped.
 */

export const OAUTH_COOKIE = "rb_oauth";
export const CALLBACK_PATH = "/auth/callback";
const OAUTH_SECONDS = 600;

/** Only a path on this server (no `//host`, no scheme): no open redirect through `return`. */
function localPath(value: string | null): string {
  return value && /^\/(?![/\\])/.test(value) && value.length <= 2000 ? value : "/";
}

function callbackUrl(deps: WebDeps): string {
  if (!deps.publicUrl) throw new HttpError(503, "PUBLIC_URL is not set: GitHub cannot call back");
  return `${deps.publicUrl.replace(/\/+$/, "")}${CALLBACK_PATH}`;
}

function oauthCookie(deps: WebDeps, value: OAuthState | undefined): string {
  return serialize(OAUTH_COOKIE, value ? deps.signer.sign(OAUTH_COOKIE, value) : "", {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(deps),
    path: "/auth",
    maxAge: value ? OAUTH_SECONDS : 0,
  });
}

export function login(req: IncomingMessage, res: ServerResponse, deps: WebDeps): void {
  if (!deps.signIn) throw new HttpError(404, "sign-in is not configured");
  const query = new URL(req.url ?? "/", "http://page").searchParams;
  const state: OAuthState = {
    v: 1,
    state: randomToken(),
    returnTo: localPath(query.get("return")),
    exp: deps.signer.expiresIn(OAUTH_SECONDS),
  };
  res.setHeader("set-cookie", oauthCookie(deps, state));
  redirect(res, deps.signIn.authorizeUrl(state.state, callbackUrl(deps)));
}

export async function callback(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Promise<void> {
  if (!deps.signIn) throw new HttpError(404, "sign-in is not configured");
  const query = new URL(req.url ?? "/", "http://page").searchParams;
  const expected = deps.signer.verify(OAUTH_COOKIE, cookieOf(req, OAUTH_COOKIE), OAuthState);
  const code = query.get("code");
  const fail = (text: string) => {
    res.setHeader("set-cookie", oauthCookie(deps, undefined));
    sendHtml(res, 400, messagePage(deps, 400, "Sign-in failed", text));
  };
  if (query.get("error"))
    return fail(`GitHub said: ${(query.get("error_description") ?? query.get("error") ?? "").slice(0, 200)}`);
  if (!expected || !sameToken(query.get("state") ?? undefined, expected.state))
    return fail(
      "This sign-in was not started here, or took longer than ten minutes. Start again from the page.",
    );
  if (!code || code.length > 200) return fail("GitHub sent no code back.");
  let who: { login: string };
  try {
    who = await deps.signIn.exchange(code, callbackUrl(deps));
  } catch (error) {
    deps.logger.warn({ err: errorMessage(error).slice(0, 200) }, "GitHub sign-in failed");
    return fail("GitHub did not accept the sign-in (logged). Start again from the page.");
  }
  deps.logger.info({ login: who.login }, "signed in with GitHub");
  res.setHeader("set-cookie", [
    oauthCookie(deps, undefined),
    sessionCookie(deps, newSession(deps, { kind: "github", login: who.login })),
  ]);
  redirect(res, expected.returnTo, 303);
}

export async function logout(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Promise<void> {
  if (req.method !== "POST") throw new HttpError(405, "use POST");
  const viewer = currentViewer(req, deps);
  const fields = await readForm(req);
  if (viewer && (!sameOrigin(req, deps) || !sameToken(fields.csrf, viewer.session.csrf)))
    throw new HttpError(403, "the request did not carry this page's CSRF token");
  res.setHeader("set-cookie", sessionCookie(deps, undefined));
  redirect(res, "/", 303);
}
