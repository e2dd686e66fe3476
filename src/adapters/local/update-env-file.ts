import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** A value in the form Node's `.env` parser reads back exactly: double quotes, `\n` for newlines. */
function quote(value: string): string {
  if (/["\\]/.test(value.replace(/\n/g, ""))) throw new Error("value would not survive a .env file");
  return `"${value.replace(/\r?\n/g, "\\n")}"`;
}

/**
 * Sets `values` in a `.env` file: an existing line of a key is replaced where it is (commented
 * `# KEY=` lines too), other lines and comments are kept, new keys are appended. Written to a
 * temporary file first, then renamed, with mode 0600 (it holds secrets).
 */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  const lines = existsSync(path) ? readFileSync(path, "utf8").replace(/\n$/, "").split("\n") : [];
  const pending = new Map(Object.entries(values));
  const updated = lines.map((line) => {
    const key = /^\s*#?\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key)!;
    pending.delete(key);
    return `${key}=${quote(value)}`;
  });
  for (const [key, value] of pending) updated.push(`${key}=${quote(value)}`);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${updated.join("\n")}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
