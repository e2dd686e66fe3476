import type { InboxAlert } from "../../core/alerts/alert.ts";
import type { Alert } from "../../core/rollout/health.ts";
import type { AlertBook } from "../../ports.ts";

/** The key of an alert without its episode start: a re-fire replaces the earlier entry of the same alert. */
export function alertIdentity(key: string): string {
  return key.replace(/:[^:]*$/, "");
}

/** The entry an alert leaves in the book, or undefined when it removes one (resolved) or counts for nothing. */
export function bookEntry(alert: InboxAlert): Alert | undefined {
  if (alert.status === "resolved" || alert.severity === "info") return undefined;
  const entry: Alert = { name: alert.name, severity: alert.severity };
  if (alert.summary) entry.summary = alert.summary;
  return entry;
}

export const ALERT_TTL_MS = 6 * 3_600_000;

/**
 * The alert book of a single process: per repository and rollout, each firing alert until it resolves
 * or its TTL lapses. Bounded: past `maxEntries` the oldest entries go first (a flood cannot grow it).
 */
export class MemoryAlertBook implements AlertBook {
  /** repo → entry key → entry; `#age` holds every `repo\0key` in insertion (age) order, for eviction. */
  readonly #byRepo = new Map<string, Map<string, { rollout: string; alert: Alert; until: number }>>();
  readonly #age = new Set<string>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;

  constructor(options: { ttlMs?: number; now?: () => number; maxEntries?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? ALERT_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxEntries ?? 10_000;
  }

  #delete(repo: string, key: string): void {
    const entries = this.#byRepo.get(repo);
    entries?.delete(key);
    if (entries?.size === 0) this.#byRepo.delete(repo);
    this.#age.delete(`${repo}\u0000${key}`);
  }

  async record(repo: string, alert: InboxAlert & { rollout: string }): Promise<void> {
    const scope = repo.toLowerCase();
    const key = `${alert.rollout}\u0000${alertIdentity(alert.key)}`;
    this.#delete(scope, key);
    const entry = bookEntry(alert);
    if (!entry) return;
    const entries = this.#byRepo.get(scope) ?? new Map();
    entries.set(key, { rollout: alert.rollout, alert: entry, until: this.#now() + this.#ttlMs });
    this.#byRepo.set(scope, entries);
    this.#age.add(`${scope}\u0000${key}`);
    for (const oldest of this.#age) {
      if (this.#age.size <= this.#max) break;
      const [r = "", ...rest] = oldest.split("\u0000");
      this.#delete(r, rest.join("\u0000"));
    }
  }

  async firing(repo: string): Promise<ReadonlyMap<string, readonly Alert[]>> {
    const now = this.#now();
    const scope = repo.toLowerCase();
    const result = new Map<string, Alert[]>();
    for (const [key, entry] of this.#byRepo.get(scope) ?? []) {
      if (entry.until <= now) {
        this.#delete(scope, key);
        continue;
      }
      result.set(entry.rollout, [...(result.get(entry.rollout) ?? []), entry.alert]);
    }
    return result;
  }
}
