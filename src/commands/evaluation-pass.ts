import { errorMessage } from "../core/errors.ts";
import { isStatusDue, lastOccurrence, statusSchedule } from "../core/rollout/status-schedule.ts";
import type { RepoRegistry, RepoStore } from "../ports.ts";
import { refreshGates } from "./check-gate.ts";
import { finishInterrupted } from "./finish-interrupted.ts";
import { loadRepo } from "./load-repo.ts";
import { DispatchReconciler, type ReconcileOutcome } from "./reconcile-dispatches.ts";
import { contextFor, type Services } from "./services.ts";
import { type TickDecision, tick } from "./tick.ts";
import { postWeeklyReports } from "./weekly-report.ts";

/**
 * The evaluation loop's pass over every served repository (cron calls `runOnce`, default every minute):
 * finish what a dead process left half done (the journal's intents, then the transitions Git holds
 * without the dispatches they should have caused), run the tick (automation + status when each rollout's
 * own schedule fired since the last post), post due weekly reports, and re-check the gate of open
 * bump PRs every few minutes. Repositories are evaluated a few at a time, and a repository still
 * being evaluated by an earlier pass is skipped, not waited for: one slow repository (or metrics
 * source, up to its timeout) holds neither this pass's other tenants nor the next pass. One failure
 * stops none.
 */

export interface EvaluationPassOptions {
  services: Services;
  registry: RepoRegistry;
  /** Where weekly reports go when neither the rollout nor the settings name a channel. */
  defaultChannel?: string | undefined;
  /** Repositories evaluated at once. */
  concurrency?: number;
  /** How often open bump PRs are re-checked on schedule (reviews and pushes re-check at once by webhook). */
  gateRefreshMs?: number;
  onDecisions?: (decisions: TickDecision[]) => void;
}

/** A status occurrence claim outlives the longest sensible schedule (weekly) by a day. */
const STATUS_CLAIM_TTL_MS = 8 * 24 * 3_600_000;
export const GATE_REFRESH_MS = 5 * 60_000;

export class EvaluationPass {
  readonly #options: EvaluationPassOptions;
  readonly #lastPosted = new Map<string, Date>();
  readonly #lastWeekly = new Map<string, Date>();
  readonly #startedAt: Date;
  #lastGateRefresh = Number.NEGATIVE_INFINITY;
  /** Repositories whose evaluation has not finished, by name: the next pass leaves them to it. */
  readonly #inFlight = new Set<string>();
  /** Passes started by `start` and not finished: `drain` waits for them. */
  readonly #passes = new Set<Promise<unknown>>();
  readonly #reconciler = new DispatchReconciler();

  constructor(options: EvaluationPassOptions) {
    this.#options = options;
    this.#startedAt = options.services.clock.now();
  }

  /**
   * Starts a pass and returns at once (the cron loop): passes may overlap, a repository never does.
   * A pass that fails is logged; `drain` waits for every pass started.
   */
  start(): void {
    const pass: Promise<unknown> = this.runOnce()
      .catch((error: unknown) =>
        this.#options.services.logger.error({ err: errorMessage(error) }, "evaluation pass failed"),
      )
      .finally(() => this.#passes.delete(pass));
    this.#passes.add(pass);
  }

  /** Resolves once every pass started has finished (shutdown). */
  async drain(): Promise<void> {
    while (this.#passes.size > 0) await Promise.all([...this.#passes]);
  }

  /** One pass over every repository not still being evaluated by an earlier one. */
  async runOnce(): Promise<TickDecision[]> {
    const { services, registry } = this.#options;
    const now = services.clock.now().getTime();
    const refreshGates = now - this.#lastGateRefresh >= (this.#options.gateRefreshMs ?? GATE_REFRESH_MS);
    if (refreshGates) this.#lastGateRefresh = now;
    const served = await registry.repos();
    const stores = served.filter((s) => !this.#inFlight.has(s.name));
    if (stores.length < served.length)
      services.logger.warn(
        { repos: served.filter((s) => this.#inFlight.has(s.name)).map((s) => s.name) },
        "still being evaluated by an earlier pass: skipped",
      );
    const started = services.clock.now().getTime();
    const all: TickDecision[] = [];
    let next = 0;
    const worker = async () => {
      while (next < stores.length) {
        const store = stores[next++]!;
        this.#inFlight.add(store.name);
        try {
          all.push(...(await this.#repo(store, refreshGates)));
        } finally {
          this.#inFlight.delete(store.name);
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.#options.concurrency ?? 4, stores.length) }, worker),
    );
    this.#options.onDecisions?.(all);
    services.logger.info(
      { repos: stores.length, rollouts: all.length, ms: services.clock.now().getTime() - started },
      "evaluation pass done",
    );
    return all;
  }

  /**
   * Only the repair half of a pass, over every repository: run once at start, so a rollback a killed
   * process committed without its dispatch is finished before the first scheduled pass.
   */
  async reconcileAll(): Promise<ReconcileOutcome[]> {
    const { services, registry } = this.#options;
    const outcomes: ReconcileOutcome[] = [];
    for (const store of await registry.repos())
      outcomes.push(...(await this.#repair(store, contextFor(services, store, "rollout-bot"))));
    return outcomes;
  }

  async #repair(store: RepoStore, ctx: ReturnType<typeof contextFor>): Promise<ReconcileOutcome[]> {
    const { coordination, leaseTtlMs, logger } = this.#options.services;
    await finishInterrupted(ctx, coordination.journal, {
      minAgeMs: leaseTtlMs,
      leaseTtlMs,
      lock: coordination.lock,
    }).catch((error: unknown) => {
      logger.error({ repo: store.name, err: errorMessage(error) }, "cannot list interrupted transitions");
    });
    try {
      return await this.#reconciler.run(ctx, await loadRepo(store, { poll: true }), {
        journal: coordination.journal,
        minAgeMs: leaseTtlMs,
      });
    } catch (error) {
      logger.error({ repo: store.name, err: errorMessage(error) }, "cannot reconcile dispatches with Git");
      return [];
    }
  }

  async #repo(store: RepoStore, refreshGatesNow: boolean): Promise<TickDecision[]> {
    const { services } = this.#options;
    const { coordination, logger } = services;
    const ctx = contextFor(services, store, "rollout-bot");
    const now = services.clock.now();
    const key = (id: string) => `${store.name}:${id}`;
    await this.#repair(store, ctx);
    const claimed = new Map<string, string>();
    let decisions: TickDecision[] = [];
    try {
      decisions = await tick(ctx, {
        poll: true,
        statusDue: async (rollout, settings) => {
          const schedule = statusSchedule(rollout.file, settings);
          if (!isStatusDue(schedule, this.#lastPosted.get(key(rollout.id)) ?? this.#startedAt, now))
            return false;
          const occurrence = lastOccurrence(schedule, now);
          if (!occurrence) return true;
          const claim = `status:${key(rollout.id)}:${occurrence.toISOString()}`;
          if (await coordination.dedupe.claim(claim, STATUS_CLAIM_TTL_MS)) {
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
        if (claim && !d.posted) await coordination.dedupe.release(claim);
      }
    } catch (error) {
      logger.error({ repo: store.name, err: errorMessage(error) }, "evaluation failed");
    }
    await this.#weekly(store, ctx).catch((error: unknown) => {
      logger.error({ repo: store.name, err: errorMessage(error) }, "weekly report failed");
    });
    if (refreshGatesNow && store.pulls) {
      await refreshGates(services, store).catch((error: unknown) => {
        logger.warn({ repo: store.name, err: errorMessage(error) }, "gate refresh failed");
      });
    }
    return decisions;
  }

  async #weekly(store: RepoStore, ctx: ReturnType<typeof contextFor>): Promise<void> {
    if (!ctx.notifier.postReport) return;
    const { coordination } = this.#options.services;
    await postWeeklyReports(ctx, await loadRepo(store), {
      lastPosted: this.#lastWeekly,
      startedAt: this.#startedAt,
      claim: (k, ttl) => coordination.dedupe.claim(k, ttl),
      defaultChannel: this.#options.defaultChannel,
    });
  }
}
