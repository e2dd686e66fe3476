import cron, { type RunCoordinator, type ScheduledTask } from "node-cron";
import type { CommandContext } from "../../commands/context.ts";
import { finishInterrupted } from "../../commands/finish-interrupted.ts";
import { type TickDecision, tick } from "../../commands/tick.ts";
import { isStatusDue, lastOccurrence, statusSchedule } from "../../core/rollout/status-schedule.ts";
import type { Clock, Dedupe, IntentJournal, Lock, Logger, RepoRegistry, RepoStore } from "../../ports.ts";

/**
 * The server's evaluation loop: node-cron runs `tick` for every served repository (default: every
 * minute); each rollout's status is posted when its own schedule has fired since the last post.
 */

export interface SchedulerDeps {
  registry: RepoRegistry;
  context: (store: RepoStore, actor: string) => CommandContext;
  clock: Clock;
  logger: Logger;
  onDecisions?: (decisions: TickDecision[]) => void;
  /** Work that rides on every pass (the GitHub App re-evaluates the gate of open bump PRs). */
  afterPass?: () => Promise<void>;
  /** Replicas: each scheduled status occurrence is claimed once (`status:<repo>:<rollout>:<time>`). */
  dedupe?: Dedupe;
  /** Replicas: node-cron asks it which instance runs each scheduled slot. */
  runCoordinator?: RunCoordinator;
  /** Half-done transitions are finished at the start of each repository's pass, under the rollout lease. */
  journal?: IntentJournal;
  lock?: Lock;
  /** The rollout lease's TTL: an intent younger than this may still belong to a live process. */
  leaseTtlMs?: number;
}

/** How long a won slot stays claimed: longer than any clock skew between replicas. */
export const TICK_LEASE_MS = 5 * 60_000;
/** A status occurrence claim outlives the longest sensible schedule (weekly) by a day. */
const STATUS_CLAIM_TTL_MS = 8 * 24 * 3_600_000;

export class Scheduler {
  readonly #deps: SchedulerDeps;
  readonly #lastPosted = new Map<string, Date>();
  readonly #startedAt: Date;
  #task: ScheduledTask | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#startedAt = deps.clock.now();
  }

  /** One pass over every repository; errors in one repository never stop the others. */
  async runOnce(): Promise<TickDecision[]> {
    const all: TickDecision[] = [];
    for (const store of await this.#deps.registry.repos()) {
      const ctx = this.#deps.context(store, "rollout-bot");
      const now = this.#deps.clock.now();
      const key = (id: string) => `${store.name}:${id}`;
      const { journal, dedupe } = this.#deps;
      if (journal) {
        const leaseTtlMs = this.#deps.leaseTtlMs ?? 60_000;
        await finishInterrupted(ctx, journal, {
          minAgeMs: leaseTtlMs,
          leaseTtlMs,
          ...(this.#deps.lock ? { lock: this.#deps.lock } : {}),
        }).catch((error: unknown) => {
          this.#deps.logger.error(
            { repo: store.name, err: String(error) },
            "cannot list interrupted transitions",
          );
        });
      }
      const claimed = new Map<string, string>();
      try {
        const decisions = await tick(ctx, {
          statusDue: async (rollout, settings) => {
            const schedule = statusSchedule(rollout.file, settings);
            if (!isStatusDue(schedule, this.#lastPosted.get(key(rollout.id)) ?? this.#startedAt, now))
              return false;
            const occurrence = lastOccurrence(schedule, now);
            if (!dedupe || !occurrence) return true;
            const claim = `status:${key(rollout.id)}:${occurrence.toISOString()}`;
            if (await dedupe.claim(claim, STATUS_CLAIM_TTL_MS)) {
              claimed.set(rollout.id, claim);
              return true;
            }
            // Another replica has posted this occurrence.
            this.#lastPosted.set(key(rollout.id), now);
            return false;
          },
        });
        for (const d of decisions) {
          if (d.posted) this.#lastPosted.set(key(d.rollout), now);
          const claim = claimed.get(d.rollout);
          // A post that failed gives its occurrence back: the next pass (on any replica) tries again.
          if (claim && !d.posted) await dedupe?.release(claim);
        }
        all.push(...decisions);
      } catch (error) {
        this.#deps.logger.error(
          { repo: store.name, err: error instanceof Error ? error.message : String(error) },
          "evaluation failed",
        );
      }
    }
    this.#deps.onDecisions?.(all);
    await this.#deps.afterPass?.().catch((error: unknown) => {
      this.#deps.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "after-pass work failed",
      );
    });
    return all;
  }

  start(expression = "* * * * *"): void {
    this.#task = cron.schedule(
      expression,
      () => {
        this.#running = this.runOnce();
        return this.#running;
      },
      {
        name: "rollout-evaluation",
        noOverlap: true,
        // Replicas: the first to claim a slot evaluates it; the others skip it.
        ...(this.#deps.runCoordinator
          ? { distributed: true, runCoordinator: this.#deps.runCoordinator, distributedLease: TICK_LEASE_MS }
          : {}),
      },
    );
  }

  /** Stops scheduling and waits for a pass in flight to finish. */
  async stop(): Promise<void> {
    await this.#task?.stop();
    await this.#running.catch(() => undefined);
  }
}
