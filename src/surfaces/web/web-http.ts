import type { IncomingMessage, ServerResponse } from "node:http";
import getRawBody from "raw-body";
import { HttpError } from "../http/read-body.ts";
import { type Html, html } from "./html.ts";
import { renderLayout } from "./render-layout.ts";
import type { WebDeps } from "./web-deps.ts";

/** Responses with the page's security headers, bounded form bodies, and the same-origin check. */

/** Scripts and styles from this server only; no framing; forms post here only. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export function securityHeaders(res: ServerResponse): void {
  res.setHeader("content-security-policy", CSP);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "same-origin");
  res.setHeader("x-frame-options", "DENY");
}

export function sendHtml(res: ServerResponse, status: number, page: Html): void {
  securityHeaders(res);
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(page.text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  securityHeaders(res);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, "cache-control": "no-store" });
  res.end();
}

export function messagePage(
  deps: WebDeps,
  _status: number,
  title: string,
  text: string,
  viewer?: string,
  back?: string,
): Html {
  return renderLayout({
    title,
    viewer,
    assetVersion: assetVersion(deps),
    body: html`<h1>${title}</h1><p class="message">${text}</p>
      <p>${back ? html`<a href="${back}">Back to the rollout</a> · ` : ""}<a href="/">All rollouts</a></p>`,
  });
}

let version: { deps: WebDeps["assets"]; value: string } | undefined;
/** Changes whenever the bundle does, so browsers may cache the assets for good. */
export function assetVersion(deps: WebDeps): string {
  if (version?.deps !== deps.assets) {
    let hash = 0;
    for (const byte of Buffer.concat([deps.assets.js, deps.assets.css])) hash = (hash * 31 + byte) >>> 0;
    version = { deps: deps.assets, value: hash.toString(36) };
  }
  return version.value;
}

export const MAX_FORM_BYTES = 16 * 1024;

/** A form (urlencoded) or JSON object body, at most 16 KiB, as string fields. */
export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await getRawBody(req, { limit: MAX_FORM_BYTES, encoding: "utf8" });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large")
      throw new HttpError(413, `body larger than ${MAX_FORM_BYTES} bytes`);
    throw new HttpError(400, "could not read the request body");
  }
  const type = String(req.headers["content-type"] ?? "");
  if (/^application\/json/i.test(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpError(400, "body is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, "body must be a JSON object");
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? v : String(v ?? "")]),
    );
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** This server's own origin: PUBLIC_URL's, else the Host the browser used. */
export function ownOrigin(req: IncomingMessage, deps: Pick<WebDeps, "publicUrl">): string {
  if (deps.publicUrl) return new URL(deps.publicUrl).origin;
  return `http://${req.headers.host ?? "localhost"}`;
}

/** A browser says where a POST comes from; one from another site is refused even with a session. */
export function sameOrigin(req: IncomingMessage, deps: Pick<WebDeps, "publicUrl">): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === ownOrigin(req, deps);
}

export function wantsJson(req: IncomingMessage): boolean {
  return /application\/json/i.test(String(req.headers.accept ?? ""));
}
