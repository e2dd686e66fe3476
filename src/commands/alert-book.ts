import type { InboxAlert } from "../core/alerts/alert.ts";
import type { Alert } from "../core/rollout/health.ts";

/**
 * Alerts currently firing, per repository and rollout, so every evaluation (status, tick, gate) sees
 * them. Entries expire if not re-sent: a lost "resolved" never leaves a rollout red for ever. Bounded:
 * expired entries are dropped as new ones arrive, a rollout keeps its `maxPerRollout` most recent
 * alerts and the book its `maxRollouts` most recently alerted rollouts.
 */

interface Entry {
  alert: Alert;
  until: number;
}

export class AlertBook {
  /** repo (lower case) → rollout → alert identity → entry, each level in last-recorded order. */
  readonly #repos = new Map<string, Map<string, Map<string, Entry>>>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #maxPerRollout: number;
  readonly #maxRollouts: number;
  /** Scopes in last-recorded order, for evicting the oldest past maxRollouts. */
  readonly #scopes = new Map<string, { repo: string; rollout: string }>();

  constructor(
    options: { ttlMs?: number; now?: () => number; maxPerRollout?: number; maxRollouts?: number } = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 6 * 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#maxPerRollout = options.maxPerRollout ?? 100;
    this.#maxRollouts = options.maxRollouts ?? 10_000;
  }

  static scope(repo: string, rollout: string): string {
    return `${repo.toLowerCase()}:${rollout}`;
  }

  /** Alerts held, for tests and /metrics. */
  get size(): number {
    let total = 0;
    for (const rollouts of this.#repos.values())
      for (const entries of rollouts.values()) total += entries.size;
    return total;
  }

  record(repo: string, alert: InboxAlert & { rollout: string }): void {
    const now = this.#now();
    const repoKey = repo.toLowerCase();
    const rollouts = this.#repos.get(repoKey) ?? new Map<string, Map<string, Entry>>();
    const entries = rollouts.get(alert.rollout) ?? new Map<string, Entry>();
    // The key without its episode start: a re-fire replaces the earlier entry of the same alert.
    const identity = alert.key.replace(/:[^:]*$/, "");
    entries.delete(identity);
    if (alert.status !== "resolved" && alert.severity !== "info") {
      const entry: Alert = { name: alert.name, severity: alert.severity };
      if (alert.summary) entry.summary = alert.summary;
      entries.set(identity, { alert: entry, until: now + this.#ttlMs });
    }
    // One TTL, entries in recorded order: the expired ones are at the front.
    for (const [key, entry] of entries) {
      if (entry.until > now && entries.size <= this.#maxPerRollout) break;
      entries.delete(key);
    }
    const scope = AlertBook.scope(repo, alert.rollout);
    this.#scopes.delete(scope);
    if (entries.size === 0) {
      rollouts.delete(alert.rollout);
      if (rollouts.size === 0) this.#repos.delete(repoKey);
      return;
    }
    rollouts.set(alert.rollout, entries);
    this.#repos.set(repoKey, rollouts);
    this.#scopes.set(scope, { repo: repoKey, rollout: alert.rollout });
    while (this.#scopes.size > this.#maxRollouts) {
      const [oldest, where] = this.#scopes.entries().next().value as [
        string,
        { repo: string; rollout: string },
      ];
      this.#scopes.delete(oldest);
      const held = this.#repos.get(where.repo);
      held?.delete(where.rollout);
      if (held?.size === 0) this.#repos.delete(where.repo);
    }
  }

  /** Firing alerts per rollout id for one repository: the shape CommandContext.alerts wants. */
  forRepo(repo: string): Map<string, Alert[]> {
    const now = this.#now();
    const result = new Map<string, Alert[]>();
    for (const [rollout, entries] of this.#repos.get(repo.toLowerCase()) ?? []) {
      const live = [...entries.values()].filter((e) => e.until > now).map((e) => e.alert);
      if (live.length > 0) result.set(rollout, live);
    }
    return result;
  }
}
