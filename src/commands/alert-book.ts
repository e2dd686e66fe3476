import type { InboxAlert } from "../core/alerts/alert.ts";
import type { Alert } from "../core/rollout/health.ts";

/**
 * Alerts currently firing, per `repo:rollout`, so every evaluation (status, tick, gate) sees them.
 * Entries expire if not re-sent: a lost "resolved" never leaves a rollout red for ever.
 */
export class AlertBook {
  readonly #firing = new Map<string, Map<string, { alert: Alert; until: number }>>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 6 * 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  static scope(repo: string, rollout: string): string {
    return `${repo.toLowerCase()}:${rollout}`;
  }

  record(repo: string, alert: InboxAlert & { rollout: string }): void {
    const scope = AlertBook.scope(repo, alert.rollout);
    const entries = this.#firing.get(scope) ?? new Map();
    // The key without its episode start: a re-fire replaces the earlier entry of the same alert.
    const identity = alert.key.replace(/:[^:]*$/, "");
    if (alert.status === "resolved") entries.delete(identity);
    else if (alert.severity !== "info") {
      const entry: Alert = { name: alert.name, severity: alert.severity };
      if (alert.summary) entry.summary = alert.summary;
      entries.set(identity, { alert: entry, until: this.#now() + this.#ttlMs });
    }
    this.#firing.set(scope, entries);
  }

  /** Firing alerts per rollout id for one repository: the shape CommandContext.alerts wants. */
  forRepo(repo: string): Map<string, Alert[]> {
    const now = this.#now();
    const result = new Map<string, Alert[]>();
    const prefix = `${repo.toLowerCase()}:`;
    for (const [scope, entries] of this.#firing) {
      if (!scope.startsWith(prefix)) continue;
      const live = [...entries.values()].filter((e) => e.until > now).map((e) => e.alert);
      if (live.length > 0) result.set(scope.slice(prefix.length), live);
    }
    return result;
  }
}
