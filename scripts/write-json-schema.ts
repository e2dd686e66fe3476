import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderJsonSchemas } from "./json-schemas.ts";

/**
 * `npm run schema`: writes schema/*.json from the zod schemas.
 * `npm run schema -- --check`: writes nothing, exits 1 when a committed file is stale.
 */

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = join(root, "schema");
const check = process.argv.includes("--check");

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

let stale = 0;
await mkdir(dir, { recursive: true });
for (const [name, text] of Object.entries(renderJsonSchemas())) {
  const path = join(dir, name);
  if ((await readOrEmpty(path)) === text) {
    console.log(`schema/${name}: up to date`);
    continue;
  }
  stale++;
  if (check) {
    console.error(`schema/${name}: stale, run npm run schema`);
  } else {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    console.log(`schema/${name}: written (${text.length} bytes)`);
  }
}
if (check && stale > 0) process.exitCode = 1;
