import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * `.env` in the working directory, loaded at start when present (Node's own parser: `KEY=value`,
 * `#` comments, multi-line values in double quotes). Variables already in the environment win, so a
 * deployment's settings override a stray file. Returns the path loaded, if any.
 */
export function loadEnvFile(cwd: string = process.cwd()): string | undefined {
  const path = join(cwd, ".env");
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return path;
}
