import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../ports.ts";
import { appManifest, parsePublicUrl } from "./app-manifest.ts";
import type { RouteHandler } from "./app-server.ts";

/**
 * GitHub's app-manifest flow, served while no GitHub App is configured: GET /setup shows a
 * "Register GitHub App" button that posts app.yml (for this server's public URL) to GitHub; GitHub
 * sends the browser back to /setup/callback with a one-time code, which is converted
 * (`POST /app-manifests/{code}/conversions`) into the App's id, private key and webhook secret,
 * written to `.env`. Only requests from this machine (loopback: `npm start` on a laptop, or
 * `kubectl port-forward`) may use it, so nobody else can register an App of theirs in our place.
 */

export const SETUP_PATH = "/setup";
export const SETUP_CALLBACK_PATH = "/setup/callback";
const STATE_TTL_MS = 60 * 60_000;

export interface AppCredentials {
  id: number;
  slug: string;
  htmlUrl: string;
  pem: string;
  webhookSecret: string;
}

export interface GitHubAppSetupDeps {
  /** app.yml's text. */
  manifestYaml: string;
  /** GitHub's web origin (https://github.com, or the GHES host). */
  webUrl: string;
  /** Turns a code into credentials (the conversion call). */
  convert: (code: string) => Promise<AppCredentials>;
  /** Stores them (in `.env`). */
  save: (credentials: AppCredentials) => void;
  logger: Logger;
  now?: () => number;
  /** Who may use the flow (default: loopback only). */
  allowed?: (req: IncomingMessage) => boolean;
}

export function isLoopback(address: string | undefined): boolean {
  return address === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address ?? "");
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action https: http:",
    "referrer-policy": "no-referrer",
  });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
      `<style>body{font:16px system-ui;max-width:44em;margin:3em auto;line-height:1.5}code{background:#eee;padding:0 .2em}</style>` +
      `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/** The public URL GitHub will call: `?url=` when given, else what this request was addressed to. */
function publicUrlOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const given = query.get("url");
  if (given) return parsePublicUrl(given);
  const proto = String(req.headers["x-forwarded-proto"] ?? "http")
    .split(",")[0]
    ?.trim();
  const host = String(req.headers["x-forwarded-host"] ?? req.headers.host ?? "")
    .split(",")[0]
    ?.trim();
  return host ? parsePublicUrl(`${proto}://${host}`) : undefined;
}

export function githubAppSetupRoutes(deps: GitHubAppSetupDeps): Map<string, RouteHandler> {
  const now = deps.now ?? Date.now;
  const allowed = deps.allowed ?? ((req: IncomingMessage) => isLoopback(req.socket.remoteAddress));
  /** One-time `state` values of the pages shown, so a callback comes from a page this server drew. */
  const states = new Map<string, number>();
  let registered: AppCredentials | undefined;

  const guard = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return false;
    }
    if (allowed(req)) return true;
    page(
      res,
      403,
      "Registration only from this machine",
      "<p>Open this page from the machine the server runs on (or through <code>kubectl port-forward</code>), or register the App by hand with <code>app.yml</code> and set <code>APP_ID</code>, <code>PRIVATE_KEY</code> and <code>WEBHOOK_SECRET</code>.</p>",
    );
    return false;
  };

  const setup: RouteHandler = (req, res) => {
    if (!guard(req, res)) return;
    if (registered) {
      page(res, 200, "GitHub App registered", restartText(registered));
      return;
    }
    const query = new URL(req.url ?? "/", "http://setup").searchParams;
    const publicUrl = publicUrlOf(req, query);
    const org = query.get("org") ?? "";
    if (!publicUrl || (org !== "" && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(org))) {
      page(
        res,
        400,
        "Bad setup parameters",
        "<p><code>url</code> must be an http(s) URL; <code>org</code> an organisation login.</p>",
      );
      return;
    }
    for (const [state, at] of states) if (now() - at > STATE_TTL_MS) states.delete(state);
    const state = randomBytes(16).toString("hex");
    states.set(state, now());
    const manifest = appManifest(deps.manifestYaml, publicUrl);
    const target = `${deps.webUrl}${org ? `/organizations/${org}` : ""}/settings/apps/new?state=${state}`;
    page(
      res,
      200,
      "Register rollout-bot as a GitHub App",
      `<p>GitHub will send webhooks to <code>${escapeHtml(manifest.hook_attributes.url)}</code>${org ? ` and the App will belong to <code>${escapeHtml(org)}</code>` : " and the App will belong to your account"}.</p>` +
        `<form method="get" action="${SETUP_PATH}"><label>Public URL <input name="url" value="${escapeHtml(publicUrl)}" size="40"></label> ` +
        `<label>Organisation <input name="org" value="${escapeHtml(org)}" size="12"></label> <button>Change</button></form>` +
        `<form method="post" action="${escapeHtml(target)}"><input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">` +
        `<p><button type="submit">Register GitHub App</button></p></form>`,
    );
  };

  const callback: RouteHandler = async (req, res) => {
    if (!guard(req, res)) return;
    if (registered) {
      page(res, 409, "Already registered", restartText(registered));
      return;
    }
    const query = new URL(req.url ?? "/", "http://setup").searchParams;
    const code = query.get("code") ?? "";
    const state = query.get("state") ?? "";
    const issued = states.get(state);
    if (issued === undefined || now() - issued > STATE_TTL_MS || !/^[\w-]{1,200}$/.test(code)) {
      page(
        res,
        400,
        "Registration link expired",
        `<p>Start again from <a href="${SETUP_PATH}">${SETUP_PATH}</a>.</p>`,
      );
      return;
    }
    states.delete(state);
    let credentials: AppCredentials;
    try {
      credentials = await deps.convert(code);
    } catch (error) {
      deps.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "app manifest conversion failed",
      );
      page(
        res,
        502,
        "GitHub refused the code",
        `<p>Codes work once, within an hour. Start again from <a href="${SETUP_PATH}">${SETUP_PATH}</a>.</p>`,
      );
      return;
    }
    deps.save(credentials);
    registered = credentials;
    deps.logger.info(
      { appId: credentials.id, slug: credentials.slug },
      "GitHub App registered: credentials written to .env",
    );
    page(res, 201, "GitHub App registered", restartText(credentials));
  };

  return new Map<string, RouteHandler>([
    ["/", (_req, res) => void res.writeHead(302, { location: SETUP_PATH }).end()],
    [SETUP_PATH, setup],
    [SETUP_CALLBACK_PATH, callback],
  ]);
}

function restartText(app: AppCredentials): string {
  return (
    `<p><code>${escapeHtml(app.slug)}</code> (App id ${app.id}) is registered; its id, private key and webhook secret are in <code>.env</code>.</p>` +
    `<ol><li>Restart the server: it reads <code>.env</code> at start.</li>` +
    `<li><a href="${escapeHtml(app.htmlUrl)}/installations/new">Install the App</a> on the repositories with rollouts.</li></ol>`
  );
}
