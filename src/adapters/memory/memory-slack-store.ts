import type { SlackMessageRef, SlackMessageStore } from "../../ports.ts";

/** Where each stage's Slack message lives in a single process; bounded, oldest dropped first. */
export class MemorySlackMessageStore implements SlackMessageStore {
  readonly #refs = new Map<string, SlackMessageRef>();
  readonly #limit: number;
  constructor(limit = 10_000) {
    this.#limit = limit;
  }
  async get(key: string): Promise<SlackMessageRef | undefined> {
    return this.#refs.get(key);
  }
  async set(key: string, value: SlackMessageRef): Promise<void> {
    this.#refs.delete(key);
    this.#refs.set(key, value);
    for (const oldest of this.#refs.keys()) {
      if (this.#refs.size <= this.#limit) break;
      this.#refs.delete(oldest);
    }
  }
}
