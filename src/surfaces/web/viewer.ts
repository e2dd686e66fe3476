import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseCookies, serialize } from "cookie";
import type { Principal } from "../../core/commands/authorize.ts";
import { randomToken, Session } from "./session.ts";
import type { WebDeps } from "./web-deps.ts";

/**
 * Who is looking at the page: a GitHub user signed in with the App's OAuth client, or — in local mode
 * with no sign-in configured, from loopback only — the local viewer. Everyone else is sent to sign in.
 */

export const SESSION_COOKIE = "rb_session";
const SESSION_SECONDS = 8 * 3600;

export interface Viewer {
  principal: Principal;
  session: Session;
  /** Groups live-update subscribers that see the same thing. */
  key: string;
  /** `@alice`, or `local`. */
  label: string;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** From this machine, to this machine by a loopback name (a DNS-rebinding page has another Host). */
export function isLoopback(req: IncomingMessage): boolean {
  const remote = req.socket.remoteAddress ?? "";
  const fromLoopback = remote === "::1" || /^(::ffff:)?127\./.test(remote);
  const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
  return fromLoopback && (LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host));
}

export function secureCookies(deps: Pick<WebDeps, "publicUrl">): boolean {
  return deps.publicUrl?.startsWith("https://") ?? false;
}

/** HttpOnly, SameSite=Lax (a link from Slack still arrives signed in; a cross-site POST carries none). */
export function sessionCookie(deps: WebDeps, session: Session | undefined): string {
  return serialize(SESSION_COOKIE, session ? deps.signer.sign(SESSION_COOKIE, session) : "", {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(deps),
    path: "/",
    maxAge: session ? SESSION_SECONDS : 0,
  });
}

export function newSession(
  deps: WebDeps,
  who: { kind: "github"; login: string } | { kind: "local" },
): Session {
  return {
    v: 1,
    ...who,
    csrf: randomToken(),
    exp: deps.signer.expiresIn(SESSION_SECONDS),
  };
}

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  return parseCookies(req.headers.cookie ?? "")[name];
}

function viewerFrom(session: Session): Viewer {
  if (session.kind === "github" && session.login) {
    return {
      principal: { kind: "github", login: session.login },
      session,
      key: `github:${session.login.toLowerCase()}`,
      label: `@${session.login}`,
    };
  }
  return { principal: { kind: "local", user: "web:local" }, session, key: "local", label: "local" };
}

/** The viewer of a request, or undefined when it has no valid session (nothing is set). */
export function currentViewer(req: IncomingMessage, deps: WebDeps): Viewer | undefined {
  const session = deps.signer.verify(SESSION_COOKIE, cookieOf(req, SESSION_COOKIE), Session);
  if (!session) return undefined;
  if (session.kind === "github" && deps.signIn) return viewerFrom(session);
  if (session.kind === "local" && deps.localMode && !deps.signIn && isLoopback(req))
    return viewerFrom(session);
  return undefined;
}

export type Admission = { ok: true; viewer: Viewer } | { ok: false; status: number; message: string };

/**
 * The viewer, starting a local session where local mode allows one (setting its cookie on `res`);
 * otherwise why not: 401 with sign-in configured, 403 without.
 */
export function admit(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Admission {
  const viewer = currentViewer(req, deps);
  if (viewer) return { ok: true, viewer };
  if (deps.localMode && !deps.signIn && isLoopback(req)) {
    const session = newSession(deps, { kind: "local" });
    res.setHeader("set-cookie", sessionCookie(deps, session));
    return { ok: true, viewer: viewerFrom(session) };
  }
  if (deps.signIn) return { ok: false, status: 401, message: "sign in with GitHub to see the rollouts" };
  return {
    ok: false,
    status: 403,
    message: deps.localMode
      ? "in local mode the status page answers on loopback only (http://127.0.0.1:PORT/)"
      : "the status page needs GitHub sign-in: set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and SESSION_SECRET",
  };
}
