import type { Octokit } from "@octokit/core";

/**
 * GitHub's pacing of writes, one queue per installation: a write starts at least 1 s after the
 * previous write of the same installation started, as GitHub asks of integrations (what the
 * throttling plugin's `write` queue did). Two lanes: a rollback's writes (its commit, its dispatch, an
 * urgent PR) go ahead of every other queued write — gate check runs, bump PRs, comments — and keep the
 * pacing.
 *
 * Keyed by the installation the client authenticates as (`auth.installationId`), not by the throttling
 * plugin's `throttle.id`: Probot sets that id on `app.auth(id)` clients only, so the clients it builds
 * for webhook events all shared one queue for every installation ("no-id"), beside the per-installation
 * queue of the same installation's other writes — neither paced against the other.
 *
 * A write says it is a rollback's with `request: { lane: "urgent" }` in its Octokit options (`lane()`),
 * which Octokit hands to request hooks: no AsyncLocalStorage, whose promise hooks, once on, cost every
 * promise of the process (≈ 1 ms of CPU per rollback on Node 20).
 *
 * Per process, as before (see write-queue.ts on why not through Redis).
 */

export const WRITE_SPACING_MS = 1_000;

interface Lane {
  lastStart: number;
  urgent: (() => void)[];
  normal: (() => void)[];
  timer: NodeJS.Timeout | undefined;
}

interface HookOptions {
  method?: string;
  url?: string;
  request?: { lane?: string };
}

const URGENT = { request: { lane: "urgent" } } as const;

/** Octokit options putting a request's write in the rollback lane when `urgent`. */
export function lane(urgent: boolean | undefined): { request?: { lane: "urgent" } } {
  return urgent ? URGENT : {};
}

/** The requests the throttling plugin paces as writes: anything but GET/HEAD (token minting aside), and GraphQL. */
export function isWrite(options: HookOptions): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  const path = new URL(options.url ?? "/", "http://github.test").pathname;
  if (path.endsWith("/graphql")) return true;
  if (method === "GET" || method === "HEAD") return false;
  return !/^\/app\/installations\/[^/]+\/access_tokens$|^\/applications\/[^/]+\/token(\/scoped)?$|^\/login\/oauth\/access_token$/.test(
    path,
  );
}

export class WriteLanes {
  readonly #lanes = new Map<string, Lane>();
  readonly #spacingMs: number;
  readonly #now: () => number;

  constructor(options: { spacingMs?: number; now?: () => number } = {}) {
    this.#spacingMs = options.spacingMs ?? WRITE_SPACING_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Resolves when a write of `key` may start; `urgent` (a rollback's) ahead of the others. */
  turn(key: string, urgent = false): Promise<void> {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { lastStart: Number.NEGATIVE_INFINITY, urgent: [], normal: [], timer: undefined };
      this.#lanes.set(key, lane);
    }
    const queue = urgent ? lane.urgent : lane.normal;
    const turn = new Promise<void>((resolve) => queue.push(resolve));
    this.#pump(key, lane);
    return turn;
  }

  /** Writes waiting per lane, for tests and metrics. */
  waiting(key: string): { urgent: number; normal: number } {
    const lane = this.#lanes.get(key);
    return { urgent: lane?.urgent.length ?? 0, normal: lane?.normal.length ?? 0 };
  }

  #pump(key: string, lane: Lane): void {
    if (lane.timer) return;
    while (lane.urgent.length > 0 || lane.normal.length > 0) {
      const wait = lane.lastStart + this.#spacingMs - this.#now();
      if (wait > 0) {
        // Whichever write is first when the spacing has passed goes: a rollback's that came meanwhile too.
        lane.timer = setTimeout(() => {
          lane.timer = undefined;
          this.#pump(key, lane);
        }, wait);
        return;
      }
      lane.lastStart = this.#now();
      (lane.urgent.shift() ?? lane.normal.shift())?.();
    }
  }

  /** An Octokit plugin: every write of the client waits for its installation's turn. */
  plugin() {
    return (octokit: Octokit, options: { auth?: unknown; throttle?: { id?: string } }): void => {
      const auth = options.auth as { installationId?: number | string } | undefined;
      const key = String(auth?.installationId ?? options.throttle?.id ?? "app");
      octokit.hook.wrap("request", async (request, requestOptions) => {
        const options = requestOptions as HookOptions;
        if (isWrite(options)) await this.turn(key, options.request?.lane === "urgent");
        return request(requestOptions);
      });
    };
  }
}

/** For the throttling plugin's `write` option: its own write pacing off, these lanes pace instead. */
export const unpacedWrites = {
  key: () => ({
    schedule: <T>(_options: unknown, job: (...args: unknown[]) => Promise<T>, ...args: unknown[]) =>
      job(...args),
  }),
};
