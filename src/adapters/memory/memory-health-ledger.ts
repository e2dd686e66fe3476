import type { HealthLedger } from "../../ports.ts";

/** The health last announced per rollout, in a single process; bounded, oldest dropped first. */
export class MemoryHealthLedger implements HealthLedger {
  readonly #last = new Map<string, string>();
  readonly #limit: number;
  constructor(limit = 10_000) {
    this.#limit = limit;
  }
  async swap(key: string, signature: string): Promise<string | undefined> {
    const previous = this.#last.get(key);
    this.#last.delete(key);
    this.#last.set(key, signature);
    for (const oldest of this.#last.keys()) {
      if (this.#last.size <= this.#limit) break;
      this.#last.delete(oldest);
    }
    return previous;
  }
}
