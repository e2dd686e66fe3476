import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, driven by playwright-core (no browser download): what the status page tests use. */

export const CHROMIUM = "/usr/bin/chromium";

/** As root on a closed network: no sandbox, and none of Chromium's own background connections. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const ARTIFACTS = join(import.meta.dirname, "../artifacts");

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** In CI a missing Chromium fails the run (.ci/run installs it); elsewhere the suite is skipped. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`missing ${CHROMIUM}: .ci/run must install Debian's chromium`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  // A fresh temporary profile per launch (playwright's default): nothing carries over between runs.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
