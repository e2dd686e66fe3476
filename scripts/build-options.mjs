// The one esbuild configuration behind every bundle, shared by scripts/build.mjs and its
// `--check-action` mode, which tells whether the committed dist/action.js is what the sources build to.
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export const ENTRY_POINTS = {
  cli: "src/main/cli.ts",
  demo: "src/main/demo.ts",
  server: "src/main/server.ts",
  action: "src/main/action.ts",
};

/**
 * esbuild options for the given entries into `outdir`. Deterministic: the same sources and lockfile
 * give the same bytes whatever the machine, working directory or output directory (each entry is
 * bundled on its own, so building one entry gives the same file as building all of them).
 */
export function buildOptions(entryPoints = ENTRY_POINTS, outdir = "dist") {
  return {
    absWorkingDir: ROOT,
    entryPoints,
    outdir,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: true,
    minify: true,
    keepNames: true,
    legalComments: "none",
    // pino's worker-thread transports are not used; bundling keeps start-up to one file read.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "warning",
  };
}

/** Modules applications import (`rollout-bot/bucketing`): readable ESM, dependencies left to the app. */
export const LIBRARY_ENTRY_POINTS = {
  "bucketing/index": "src/bucketing/index.ts",
  "openfeature/index": "src/openfeature/index.ts",
};

export function libraryOptions(entryPoints = LIBRARY_ENTRY_POINTS, outdir = "dist") {
  return {
    absWorkingDir: ROOT,
    entryPoints,
    outdir,
    bundle: true,
    // Peers and Node built-ins stay imports, so the application's bundler can tree-shake and dedupe.
    packages: "external",
    platform: "neutral",
    external: ["node:*"],
    target: "es2022",
    format: "esm",
    sourcemap: true,
    legalComments: "none",
    logLevel: "warning",
  };
}

/** The status page's browser bundle (uPlot included, no CDN) and its stylesheet, into `outdir/web`. */
export function webBuildOptions(outdir = "dist") {
  return {
    absWorkingDir: ROOT,
    entryPoints: {
      page: "src/surfaces/web/client/page.ts",
      "page-style": "src/surfaces/web/client/page.css",
    },
    outdir: `${outdir}/web`,
    entryNames: "[name]",
    bundle: true,
    platform: "browser",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    format: "iife",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  };
}
