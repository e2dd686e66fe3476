/**
 * Conditional requests: GitHub answers `If-None-Match` with 304 Not Modified, which does not count
 * against the rate limit, so polling unchanged rollout files is free. Bounded, least recently used.
 */
export class EtagCache {
  readonly #entries = new Map<string, { etag: string; data: unknown }>();
  #max: number;

  constructor(max = 5000) {
    this.#max = max;
  }

  /**
   * Room for the working set: a cache smaller than what one pass reads evicts every entry before it
   * is asked for again (the 5,000 entries it had thrashed past ~700 repositories). Never shrinks.
   */
  fit(entries: number): void {
    this.#max = Math.max(this.#max, entries);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): { etag: string; data: unknown } | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /**
   * Derived values that hold as long as a file's blob is unchanged (e.g. when its stage started): kept
   * per path with the blob sha they were derived from, so a changed file is derived anew.
   */
  recall<T>(key: string, version: string): T | undefined {
    const entry = this.get(`derived:${key}`);
    return entry?.etag === version ? (entry.data as T) : undefined;
  }

  remember(key: string, version: string, value: unknown): void {
    this.set(`derived:${key}`, version, value);
  }

  set(key: string, etag: string, data: unknown): void {
    this.#entries.delete(key);
    this.#entries.set(key, { etag, data });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
