import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type RolloutSource, rolloutPath, type SourceRead } from "./rollout-source.ts";

/** Rollout files from a local checkout (or a volume the deploy keeps in step): re-read when they change. */
export function fileRolloutSource(dir: string): RolloutSource {
  return {
    name: dir,
    async read(id: string, known?: string): Promise<SourceRead> {
      const path = join(dir, rolloutPath(id));
      try {
        const info = await stat(path);
        const version = `${info.mtimeMs}:${info.size}`;
        if (version === known) return { status: "unchanged" };
        return { status: "ok", text: await readFile(path, "utf8"), version };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "missing" };
        throw error;
      }
    },
  };
}
