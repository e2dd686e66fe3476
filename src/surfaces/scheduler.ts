import cron, { type ScheduledTask } from "node-cron";
import type { CommandContext } from "../commands/context.ts";
import { type TickDecision, tick } from "../commands/tick.ts";
import { isStatusDue, statusSchedule } from "../core/status-schedule.ts";
import type { Clock, Logger, RepoRegistry, RepoStore } from "../ports.ts";

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
}

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
      try {
        const decisions = await tick(ctx, {
          statusDue: (rollout, settings) =>
            isStatusDue(
              statusSchedule(rollout.file, settings),
              this.#lastPosted.get(key(rollout.id)) ?? this.#startedAt,
              now,
            ),
        });
        for (const d of decisions) if (d.posted) this.#lastPosted.set(key(d.rollout), now);
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
      { name: "rollout-evaluation", noOverlap: true },
    );
  }

  /** Stops scheduling and waits for a pass in flight to finish. */
  async stop(): Promise<void> {
    await this.#task?.stop();
    await this.#running.catch(() => undefined);
  }
}
