import { rolloutIdFromPath } from "../../core/config/rollout-file.ts";

/**
 * What the bot last read under `.github/` of each served repository, by blob sha: the rollout files,
 * the settings file, and the sha of the `.github/rollouts` folder. A conditional read of the `.github`
 * listing answered 304 proves nothing under it changed, and a folder or file whose sha is the one
 * kept needs no read at all — so an unchanged repository costs one request, free of rate limit, per
 * poll. `push` webhooks (and the bot's own commits, and a lost compare-and-swap) mark a repository
 * stale; within `trustMs` of its last check and with no such mark, the scheduler's poll makes no
 * request at all (single process only: another replica's commit or webhook does not reach this one).
 *
 * Also the index from rollout id to repository, for alerts that name no repository.
 */

export interface SnapshotFile {
  path: string;
  sha: string;
  text: string;
}

export interface Snapshot {
  /** When the `.github` listing last proved this current (ms, the snapshots' clock). */
  verifiedAt: number;
  /** A push, the bot's own commit or a lost compare-and-swap since: read again. */
  stale: boolean;
  rolloutsTree: string | undefined;
  rollouts: SnapshotFile[];
  /** null: the repository has no settings file. */
  settings: SnapshotFile | null;
}

export const DEFAULT_TRUST_MS = 5 * 60_000;

export class RepoSnapshots {
  readonly #byRepo = new Map<string, Snapshot>();
  readonly #trustMs: number;
  readonly #now: () => number;
  readonly #max: number;

  constructor(options: { trustMs?: number; now?: () => number; max?: number } = {}) {
    this.#trustMs = options.trustMs ?? 0;
    this.#now = options.now ?? Date.now;
    this.#max = options.max ?? 50_000;
  }

  get(repo: string): Snapshot | undefined {
    return this.#byRepo.get(repo.toLowerCase());
  }

  /** Nothing can have changed: checked within the trust window, and no push or own commit since. */
  trusted(repo: string): Snapshot | undefined {
    const snapshot = this.get(repo);
    return snapshot && !snapshot.stale && this.#now() - snapshot.verifiedAt < this.#trustMs
      ? snapshot
      : undefined;
  }

  set(repo: string, snapshot: Omit<Snapshot, "verifiedAt" | "stale">): Snapshot {
    const key = repo.toLowerCase();
    const stored = { ...snapshot, verifiedAt: this.#now(), stale: false };
    this.#byRepo.delete(key);
    this.#byRepo.set(key, stored);
    if (this.#byRepo.size > this.#max) {
      const oldest = this.#byRepo.keys().next().value;
      if (oldest !== undefined) this.#byRepo.delete(oldest);
    }
    return stored;
  }

  /** Something under `.github/` may have changed: the next read asks GitHub. */
  invalidate(repo: string): void {
    const snapshot = this.get(repo);
    if (snapshot) snapshot.stale = true;
  }

  forget(repo: string): void {
    this.#byRepo.delete(repo.toLowerCase());
  }

  /** The rollout ids the repository had when last read; undefined when it was never read. */
  rolloutIds(repo: string): string[] | undefined {
    return this.get(repo)?.rollouts.map((f) => rolloutIdFromPath(f.path) ?? "");
  }
}
