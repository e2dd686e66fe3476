import { FlagServiceError } from "../../src/adapters/flags/flag-service-error.ts";
import type { FlagService, FlagServiceRegistry } from "../../src/ports.ts";

/** A flag service in memory: values by flag key, optional faults, and a log of writes. */
export class MemoryFlagService implements FlagService {
  readonly type = "memory";
  readonly values = new Map<string, number | boolean | string>();
  readonly writes: { flag: string; value: number | boolean | string }[] = [];
  /** Throw this on the next read or write. */
  fault: Error | undefined;
  /** Accept writes without storing them (a service that silently ignores changes). */
  ignoreWrites = false;

  constructor(readonly name: string) {}

  async read(ref: { flag: string }) {
    this.#maybeFail();
    return this.values.get(ref.flag);
  }

  async write(ref: { flag: string }, _kind: string, value: number | boolean | string) {
    this.#maybeFail();
    this.writes.push({ flag: ref.flag, value });
    if (!this.ignoreWrites) this.values.set(ref.flag, value);
  }

  #maybeFail() {
    const fault = this.fault;
    this.fault = undefined;
    if (fault) throw fault;
  }
}

export function registryOf(...services: FlagService[]): FlagServiceRegistry {
  return {
    forRepo: (_repo, target) =>
      services.find((s) => s.name === target) ?? { error: `unknown flag target '${target}'` },
  };
}

export { FlagServiceError };
