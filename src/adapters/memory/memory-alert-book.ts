import type { InboxAlert } from "../../core/alerts/alert.ts";
import type { Alert } from "../../core/rollout/health.ts";
import type { AlertBook } from "../../ports.ts";

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
 * or its TTL lapses. Bounded: entries past their TTL are dropped as new ones arrive (insertion order is
 * age order, so that is O(1) amortised), at most `maxPerRollout` per rollout and `maxRollouts` rollouts
 * are kept (the oldest go first), so an alert flood cannot grow it.
 */
export class MemoryAlertBook implements AlertBook {
  /** `repo\0rollout` → alert identity → entry; `#age` holds `scope\0identity` in insertion (age) order. */
  readonly #byScope = new Map<string, Map<string, { alert: Alert; until: number }>>();
  readonly #age = new Map<string, number>();
  /** repo → its scopes: a repository's alerts are read without walking everyone else's. */
  readonly #scopesOf = new Map<string, Set<string>>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #maxPerRollout: number;
  readonly #maxRollouts: number;

  constructor(
    options: { ttlMs?: number; now?: () => number; maxPerRollout?: number; maxRollouts?: number } = {},
  ) {
    this.#ttlMs = options.ttlMs ?? ALERT_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#maxPerRollout = options.maxPerRollout ?? 100;
    this.#maxRollouts = options.maxRollouts ?? 10_000;
  }

  /** Alerts held, all repositories together. */
  get size(): number {
    return this.#age.size;
  }

  #delete(scope: string, identity: string): void {
    const entries = this.#byScope.get(scope);
    entries?.delete(identity);
    if (entries?.size === 0) {
      this.#byScope.delete(scope);
      const repo = scope.slice(0, scope.indexOf("\u0000"));
      const scopes = this.#scopesOf.get(repo);
      scopes?.delete(scope);
      if (scopes?.size === 0) this.#scopesOf.delete(repo);
    }
    this.#age.delete(`${scope}\u0000${identity}`);
  }

  #evict(key: string): void {
    const cut = key.lastIndexOf("\u0000");
    this.#delete(key.slice(0, cut), key.slice(cut + 1));
  }

  async record(repo: string, alert: InboxAlert & { rollout: string }): Promise<void> {
    const now = this.#now();
    // The oldest entries lapse first: drop them before adding.
    for (const [key, until] of this.#age) {
      if (until > now) break;
      this.#evict(key);
    }
    const scope = `${repo.toLowerCase()}\u0000${alert.rollout}`;
    const repoScopes = this.#scopesOf.get(repo.toLowerCase()) ?? new Set<string>();
    this.#delete(scope, alert.identity);
    const entry = bookEntry(alert);
    if (!entry) return;
    const entries = this.#byScope.get(scope) ?? new Map();
    const until = now + this.#ttlMs;
    entries.set(alert.identity, { alert: entry, until });
    this.#byScope.delete(scope);
    this.#byScope.set(scope, entries);
    repoScopes.add(scope);
    this.#scopesOf.set(repo.toLowerCase(), repoScopes);
    this.#age.set(`${scope}\u0000${alert.identity}`, until);
    while (entries.size > this.#maxPerRollout) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      this.#delete(scope, oldest);
    }
    while (this.#byScope.size > this.#maxRollouts) {
      const [oldest] = this.#byScope.keys();
      if (oldest === undefined) break;
      for (const identity of [...(this.#byScope.get(oldest)?.keys() ?? [])]) this.#delete(oldest, identity);
    }
  }

  async firing(repo: string): Promise<ReadonlyMap<string, readonly Alert[]>> {
    const now = this.#now();
    const prefix = `${repo.toLowerCase()}\u0000`;
    const result = new Map<string, Alert[]>();
    for (const scope of this.#scopesOf.get(repo.toLowerCase()) ?? []) {
      const entries = this.#byScope.get(scope);
      if (!entries) continue;
      const live = [...entries.values()].filter((e) => e.until > now).map((e) => e.alert);
      if (live.length > 0) result.set(scope.slice(prefix.length), live);
    }
    return result;
  }
}
