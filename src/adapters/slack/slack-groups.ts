import { errorMessage } from "../../core/errors.ts";
import type { Clock, Logger, SlackDirectory } from "../../ports.ts";

/**
 * Who is in which Slack user group, from `usergroups.users.list`, cached per group for a TTL. Only the
 * groups a settings file names are ever asked about. When Slack cannot be reached, the last members
 * seen are used (however old): a Slack outage must not lock on-call out of a rollback.
 */

export type ListMembers = (group: string) => Promise<readonly string[]>;

export const GROUP_TTL_MS = 5 * 60_000;

interface Entry {
  members: ReadonlySet<string>;
  fetchedAt: number;
}

export class SlackGroups implements SlackDirectory {
  readonly #list: ListMembers;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  readonly #cache = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(options: { list: ListMembers; clock: Clock; logger: Logger; ttlMs?: number }) {
    this.#list = options.list;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs ?? GROUP_TTL_MS;
  }

  /** The groups among `groups` that `user` belongs to; a group Slack cannot list counts as not joined. */
  async groupsOf(user: string, groups: readonly string[]): Promise<string[]> {
    const unique = [...new Set(groups)];
    const members = await Promise.all(unique.map((group) => this.members(group)));
    return unique.filter((_, i) => members[i]?.has(user));
  }

  async members(group: string): Promise<ReadonlySet<string>> {
    const cached = this.#cache.get(group);
    const now = this.#clock.now().getTime();
    if (cached && now - cached.fetchedAt < this.#ttlMs) return cached.members;
    const pending = this.#inFlight.get(group);
    if (pending) return pending;
    const fetch = this.#fetch(group, cached).finally(() => this.#inFlight.delete(group));
    this.#inFlight.set(group, fetch);
    return fetch;
  }

  async #fetch(group: string, stale: Entry | undefined): Promise<ReadonlySet<string>> {
    try {
      const members = new Set(await this.#list(group));
      this.#cache.set(group, { members, fetchedAt: this.#clock.now().getTime() });
      return members;
    } catch (error) {
      const err = errorMessage(error);
      if (stale) {
        this.#logger.warn({ group, err }, "slack user group lookup failed; using the last members seen");
        return stale.members;
      }
      this.#logger.warn({ group, err }, "slack user group lookup failed");
      return new Set();
    }
  }
}
