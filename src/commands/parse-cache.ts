import type { Parsed } from "../core/config/yaml-diagnostics.ts";

/**
 * Parsed files by blob sha: a file whose version is the one parsed last time is not parsed again (YAML
 * + zod per file version, not per pass). One entry per repository and path — the working set, never
 * more — holding the last version seen; a changed file replaces its entry.
 */
export class ParseCache {
  readonly #entries = new Map<string, { version: string; policy: string; parsed: Parsed<unknown> }>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  parse<T>(
    repo: string,
    file: { path: string; text: string; version?: string | undefined },
    policy: string,
    parse: () => Parsed<T>,
  ): Parsed<T> {
    const key = `${repo.toLowerCase()}\u0000${file.path}`;
    const known = this.#entries.get(key);
    if (known && file.version !== undefined && known.version === file.version && known.policy === policy)
      return known.parsed as Parsed<T>;
    const parsed = parse();
    if (file.version !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, { version: file.version, policy, parsed });
      if (this.#entries.size > this.#max) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    return parsed;
  }

  /** What the last version of a file parsed to, whatever its version now (a guess to read ahead by). */
  last<T>(repo: string, path: string): Parsed<T> | undefined {
    return this.#entries.get(`${repo.toLowerCase()}\u0000${path}`)?.parsed as Parsed<T> | undefined;
  }
}

/** The process's parse cache: pure functions of (path, text, policy), so one is shared by every command. */
export const parseCache = new ParseCache();
