import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const ROOT = join(import.meta.dirname, "../..");

/**
 * The files a fresh clone of this checkout has: tracked and new not-ignored files, as they are in the
 * working tree (so uncommitted edits are tested too), without node_modules, dist/ builds or .env.
 */
export function freshClone(prefix = "rollout-clone-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  for (const path of new Set(listed.split("\0").filter(Boolean))) {
    // deleted in the working tree, or a link (node_modules of a worktree)
    if (!existsSync(join(ROOT, path)) || path === "node_modules") continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(ROOT, path), join(dir, path));
  }
  return dir;
}
