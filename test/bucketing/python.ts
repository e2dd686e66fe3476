import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BucketingMode } from "../../src/bucketing/index.ts";

/** Runs test/bucketing/reference.py (hashlib md5, plain-Python murmur3) on a batch of questions. */

export interface PythonAnswer {
  hash: number | string;
  bucket: number;
  in: boolean[];
}

const SCRIPT = fileURLToPath(new URL("reference.py", import.meta.url));

export function pythonAvailable(): boolean {
  const ok = spawnSync("python3", ["--version"]).status === 0;
  if (!ok && process.env.CI) throw new Error("python3 is missing: .ci/run must install python3");
  return ok;
}

export function pythonBuckets(
  questions: { mode: BucketingMode; salt: string; userId: string; percents: readonly number[] }[],
): PythonAnswer[] {
  const input = questions.map((q) => JSON.stringify(q)).join("\n");
  const run = spawnSync("python3", [SCRIPT], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`reference.py failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as PythonAnswer);
}
