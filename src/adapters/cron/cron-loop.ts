import cron, { type RunCoordinator, type ScheduledTask } from "node-cron";

/**
 * A job on a cron expression (node-cron), never overlapping itself; with a run coordinator (Redis),
 * the first replica to claim a slot runs it and the others skip it. `stop` waits for a run in flight.
 */

/** How long a won slot stays claimed: longer than any clock skew between replicas. */
export const TICK_LEASE_MS = 5 * 60_000;

export interface CronLoop {
  stop(): Promise<void>;
}

export function startCronLoop(
  expression: string,
  name: string,
  run: () => Promise<unknown>,
  options: { runCoordinator?: RunCoordinator | undefined } = {},
): CronLoop {
  let running: Promise<unknown> = Promise.resolve();
  const task: ScheduledTask = cron.schedule(
    expression,
    () => {
      running = run();
      return running;
    },
    {
      name,
      noOverlap: true,
      ...(options.runCoordinator
        ? { distributed: true, runCoordinator: options.runCoordinator, distributedLease: TICK_LEASE_MS }
        : {}),
    },
  );
  return {
    async stop() {
      await task.stop();
      await running.catch(() => undefined);
    },
  };
}
