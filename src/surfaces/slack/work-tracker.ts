/**
 * The work a listener does after its ack (Slack has its answer; the HTTP request is over). Tracked so
 * shutdown can let it finish and tests can wait for it; a failure is logged by the caller, never lost
 * in an unhandled rejection.
 */
export class WorkTracker {
  readonly #running = new Set<Promise<unknown>>();

  /** Starts `task` on the next turn of the event loop, so the ack already sent leaves first. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const promise = new Promise<void>((resolve) => setImmediate(resolve)).then(task);
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
    return promise;
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves once nothing is running, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
