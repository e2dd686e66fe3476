import type { RepoRegistry, RepoStore } from "../../ports.ts";

/** A registry of fixed stores: one local checkout in local mode, or the stores a test hands in. */
export class StaticRegistry implements RepoRegistry {
  readonly #stores: RepoStore[];
  constructor(stores: RepoStore[]) {
    this.#stores = stores;
  }
  async repos(): Promise<RepoStore[]> {
    return this.#stores;
  }
  async find(name: string): Promise<RepoStore | undefined> {
    return this.#stores.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }
}
