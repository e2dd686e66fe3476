import type { HealthStatus } from "../../core/rollout/health.ts";
import { type Html, html } from "./html.ts";

/** The page frame: one stylesheet and one script from this server (no CDN), a skip link, who is signed in. */

export interface LayoutInput {
  title: string;
  /** `@alice`, `local`, or undefined when nobody is signed in. */
  viewer?: string | undefined;
  /** Shown with a sign-out button when the viewer signed in with GitHub. */
  signedIn?: boolean;
  csrf?: string | undefined;
  /** Cache-busting version of the assets. */
  assetVersion: string;
  body: Html;
}

export function renderLayout(input: LayoutInput): Html {
  const who = input.viewer
    ? html`<span class="who">Viewing as <strong>${input.viewer}</strong></span>
        ${
          input.signedIn
            ? html`<form method="post" action="/auth/logout" class="inline">
                <input type="hidden" name="csrf" value="${input.csrf}" />
                <button type="submit" class="link">Sign out</button>
              </form>`
            : ""
        }`
    : "";
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="csrf-token" content="${input.csrf ?? ""}" />
    <link rel="icon" href="data:," />
    <title>${input.title} · rollout-bot</title>
    <link rel="stylesheet" href="/assets/page.css?v=${input.assetVersion}" />
    <script src="/assets/page.js?v=${input.assetVersion}" defer></script>
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a href="/" class="brand">rollout-bot</a>
      <nav aria-label="Account">${who}</nav>
    </header>
    <main id="main" tabindex="-1">${input.body}</main>
  </body>
</html>
`;
}

const HEALTH_WORDS: Record<HealthStatus, { icon: string; word: string }> = {
  green: { icon: "●", word: "green" },
  yellow: { icon: "▲", word: "yellow" },
  red: { icon: "■", word: "red" },
};

/** Health as a shape and a word, coloured too: the colour is never the only signal. */
export function healthBadge(status: HealthStatus): Html {
  const { icon, word } = HEALTH_WORDS[status];
  return html`<span class="badge health-${status}"><span aria-hidden="true">${icon}</span> ${word}</span>`;
}

export function phaseText(phase: string): string {
  return phase.replace("_", " ");
}

/** `2026-11-23 17:00 UTC` in a `<time>` element. */
export function timeOf(iso: string): Html {
  const text = `${iso.slice(0, 16).replace("T", " ")} UTC`;
  return html`<time datetime="${iso}">${text}</time>`;
}
