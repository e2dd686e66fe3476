import type { Intent, IntentJournal } from "../../ports.ts";

/** The intent journal of a single process: finds dispatches that failed, not a process that died. */
export class MemoryIntentJournal implements IntentJournal {
  readonly #intents = new Map<string, Intent>();

  async record(intent: Intent): Promise<void> {
    this.#intents.set(`${intent.repo}|${intent.rollout}`, structuredClone(intent));
  }

  async advance(
    repo: string,
    rollout: string,
    id: string,
    from: Intent["stage"][],
    next: Intent["stage"],
    changes: Partial<Pick<Intent, "commit" | "attempts" | "at">> = {},
  ): Promise<boolean> {
    const current = this.#intents.get(`${repo}|${rollout}`);
    if (!current || current.id !== id || !from.includes(current.stage)) return false;
    Object.assign(current, changes, { stage: next });
    return true;
  }

  async clear(repo: string, rollout: string, id: string): Promise<void> {
    if (this.#intents.get(`${repo}|${rollout}`)?.id === id) this.#intents.delete(`${repo}|${rollout}`);
  }

  async list(repo: string): Promise<Intent[]> {
    return [...this.#intents.values()].filter((i) => i.repo === repo).map((i) => structuredClone(i));
  }
}
