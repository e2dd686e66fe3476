import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { ServerEnv } from "../src/main/server-env.ts";

/** The server's variables: the schema, what the code reads, `.env.example` and the README agree. */
const root = join(import.meta.dirname, "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

const schemaNames = sorted(Object.keys(ServerEnv.shape));

/** `env.NAME` / `env["NAME"]` in every source file the server bundle is built from. */
async function namesTheServerReads(): Promise<Map<string, string[]>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/main/server.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const names = new Map<string, string[]>();
  for (const path of Object.keys(result.metafile.inputs).filter((p) => p.startsWith("src/"))) {
    for (const m of read(path).matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\benv\[["']([A-Z][A-Z0-9_]+)["']\]/g)) {
      const name = (m[1] ?? m[2])!;
      names.set(name, [...(names.get(name) ?? []), path]);
    }
  }
  return names;
}

describe("server environment documentation", () => {
  it("declares in the schema every variable the server's code reads", async () => {
    const read = await namesTheServerReads();
    expect(read.size).toBeGreaterThan(10);
    const undeclared = [...read].filter(([name]) => !schemaNames.includes(name));
    expect(undeclared).toEqual([]);
  });

  it("lists exactly the schema's variables in .env.example", () => {
    const names = [...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(sorted(names)).toEqual(schemaNames);
  });

  it("documents exactly the schema's variables in the README's configuration table", () => {
    const readme = read("README.md");
    const start = readme.indexOf("### Configuration");
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf("\n#", start + 5));
    const names = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
    expect(sorted(names)).toEqual(schemaNames);
  });

  it("starts from .env.example as it is: its values parse", async () => {
    const { parseEnv } = await import("node:util");
    const { parseServerEnv } = await import("../src/main/server-env.ts");
    const parsed = parseServerEnv(parseEnv(read(".env.example")));
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });
});
