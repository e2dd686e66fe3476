// One bundler config for every entry: the CLI, the demo, the server and the Action (build-options.mjs).
// `--check-action` builds the Action alone into a temporary directory and compares it byte for byte
// with the committed dist/action.js (exit 1 when stale or missing), as Action repositories check.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { buildOptions, ENTRY_POINTS, ROOT, webBuildOptions } from "./build-options.mjs";

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
  await Promise.all([build(buildOptions()), build(webBuildOptions())]);
}
