import { setTimeout as sleep } from "node:timers/promises";

/**
 * Stand-ins for the two Bottleneck limiters @octokit/plugin-throttling puts in front of every request
 * (`retryLimiter`, one per client, and the `global` group, 10 requests at once per installation), with
 * the same behaviour and none of Bottleneck's cost per job (≈ 0.45 ms of CPU and several timer hops,
 * measured). Given to the plugin through its options (`throttle.retryLimiter`, `throttle.global`), as
 * it allows; when Probot clusters the throttling through Redis, its shared `global` group is kept.
 */

type Failed = (error: unknown, info: { args: unknown[]; retryCount: number }) => unknown;

/** Bottleneck's retry contract: a `failed` listener that answers a number of ms retries the job. */
export class RetryLimiter {
  #failed: Failed | undefined;

  on(event: string, listener: Failed): this {
    if (event === "failed") this.#failed = listener;
    return this;
  }

  async schedule<T>(job: (...args: unknown[]) => Promise<T>, ...args: unknown[]): Promise<T> {
    for (let retryCount = 0; ; retryCount++) {
      try {
        return await job(...args);
      } catch (error) {
        const delay = await this.#failed?.(error, { args, retryCount });
        if (typeof delay !== "number") throw error;
        await sleep(delay);
      }
    }
  }
}

/** At most `max` jobs at once per key, first come first served. */
export class ConcurrencyGroup {
  readonly #max: number;
  readonly #keys = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(max: number) {
    this.#max = max;
  }

  key(id = "") {
    return {
      schedule: async <T>(_options: unknown, job: (...args: unknown[]) => Promise<T>, ...args: unknown[]) => {
        let slot = this.#keys.get(id);
        if (!slot) {
          slot = { running: 0, waiting: [] };
          this.#keys.set(id, slot);
        }
        if (slot.running >= this.#max) await new Promise<void>((resolve) => slot.waiting.push(resolve));
        slot.running++;
        try {
          return await job(...args);
        } finally {
          slot.running--;
          const next = slot.waiting.shift();
          if (next) next();
          else if (slot.running === 0) this.#keys.delete(id);
        }
      },
    };
  }
}
