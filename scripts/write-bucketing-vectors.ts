import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderVectors } from "./bucketing-vectors.ts";

/** `npm run vectors`: writes src/bucketing/test-vectors.json; `-- --check` exits 1 when it is stale. */
const path = fileURLToPath(new URL("../src/bucketing/test-vectors.json", import.meta.url));
const text = renderVectors();
let current = "";
try {
  current = readFileSync(path, "utf8");
} catch {}
if (current === text) console.log("src/bucketing/test-vectors.json: up to date");
else if (process.argv.includes("--check")) {
  console.error("src/bucketing/test-vectors.json: stale, run npm run vectors");
  process.exitCode = 1;
} else {
  writeFileSync(path, text);
  console.log(`src/bucketing/test-vectors.json: written (${text.length} bytes)`);
}
