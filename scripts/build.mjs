// One bundler config for every entry: the CLI, the demo, the server and the Action (build-options.mjs).
// `--check-action` builds the Action alone into a temporary directory and compares it byte for byte
// with the committed dist/action.js (exit 1 when stale or missing), as Action repositories check.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { buildOptions, ENTRY_POINTS, libraryOptions, ROOT, webBuildOptions } from "./build-options.mjs";

if (process.argv.includes("--check-action")) {
  const dir = mkdtempSync(join(tmpdir(), "rollout-action-bundle-"));
  try {
    await build(buildOptions({ action: ENTRY_POINTS.action }, dir));
    const built = readFileSync(join(dir, "action.js"));
    const path = join(ROOT, "dist/action.js");
    const committed = existsSync(path) ? readFileSync(path) : undefined;
    if (committed?.equals(built)) {
      console.log(`dist/action.js is up to date (${built.length} bytes)`);
    } else {
      console.error(
        `dist/action.js is ${committed ? `stale (${committed.length} bytes; the sources build ${built.length})` : "missing"}: run \`npm run build\` and commit dist/action.js`,
      );
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  // The server is built on its own with code splitting: what only some configurations use (Slack,
  // Redis) is in chunks it imports when configured, so a server without them never parses them.
  const { server, ...others } = ENTRY_POINTS;
  await build(buildOptions(others));
  await build({ ...buildOptions({ server }), splitting: true, chunkNames: "chunks/[name]-[hash]" });
  await Promise.all([build(libraryOptions()), build(webBuildOptions())]);
  writeDeclarations();
}

/**
 * `.d.ts` files for the library entries (tsc, declarations only), with the sources' `.ts` import
 * specifiers turned into the `.js` ones the built files have.
 */
function writeDeclarations() {
  const tsconfig = join(ROOT, "tsconfig.declarations.json");
  execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", tsconfig], { stdio: "inherit" });
  for (const name of readdirSync(join(ROOT, "dist"), { recursive: true })) {
    if (!String(name).endsWith(".d.ts")) continue;
    const path = join(ROOT, "dist", String(name));
    writeFileSync(path, readFileSync(path, "utf8").replace(/(from "\.{1,2}\/[^"]+)\.ts"/g, '$1.js"'));
  }
}
