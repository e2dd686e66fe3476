/** Deterministic time: starts at a fixed instant and moves one second per timestamp taken. */
export class FakeClock {
  #now: number;
  constructor(start = Date.parse("2025-01-06T09:00:00Z")) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  /** An ISO timestamp for a new record; advancing keeps "newest first" orders strict. */
  stamp(): string {
    const iso = new Date(this.#now).toISOString().replace(/\.\d{3}Z$/, "Z");
    this.#now += 1000;
    return iso;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  set(date: Date | string): void {
    this.#now = new Date(date).getTime();
  }
}
