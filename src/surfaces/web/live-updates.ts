import type { ServerResponse } from "node:http";
import { errorMessage } from "../../core/errors.ts";
import type { Logger, Notifier } from "../../ports.ts";

/**
 * Server-sent events for the open pages. Subscribers that see the same thing (one viewer's view of a
 * list or a rollout) share one render per refresh; a render is pushed only when it changed. Refreshes
 * come from every status the notifier posts (advance, rollback, alerts — from any surface), from the
 * page's own actions, and on a timer for what drifts (health, bake time).
 */

export interface LiveOptions {
  logger: Logger;
  refreshMs?: number;
  /** Open streams beyond this are refused (503): each holds a socket. */
  maxClients?: number;
}

interface Group {
  render: () => Promise<string>;
  clients: Set<ServerResponse>;
  last?: string;
}

const DEBOUNCE_MS = 150;
const KEEPALIVE_MS = 20_000;

export class LiveUpdates {
  readonly #groups = new Map<string, Group>();
  readonly #logger: Logger;
  readonly #maxClients: number;
  readonly #timers: NodeJS.Timeout[] = [];
  #pending: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;
  #clients = 0;
  #closed = false;

  constructor(options: LiveOptions) {
    this.#logger = options.logger;
    this.#maxClients = options.maxClients ?? 500;
    const refresh = setInterval(() => this.changed(), options.refreshMs ?? 10_000);
    const keepalive = setInterval(() => this.#broadcast(": keepalive\n\n"), KEEPALIVE_MS);
    for (const timer of [refresh, keepalive]) {
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /** A notifier that also refreshes the open pages after each post. */
  watch(notifier: Notifier): Notifier {
    const watched: Notifier = {
      post: async (message) => {
        try {
          await notifier.post(message);
        } finally {
          this.changed();
        }
      },
    };
    if (notifier.postReport)
      watched.postReport = (report) => notifier.postReport?.(report) ?? Promise.resolve();
    return watched;
  }

  get clients(): number {
    return this.#clients;
  }

  /** Something may have changed: refresh every open page soon (bursts coalesce into one refresh). */
  changed(): void {
    if (this.#closed || this.#groups.size === 0 || this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      void this.refresh();
    }, DEBOUNCE_MS);
    this.#pending.unref();
  }

  /** Re-renders every group and pushes what changed; resolves when done (tests await it). */
  async refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        await Promise.all([...this.#groups.values()].map((group) => this.#push(group)));
      } while (this.#again);
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #push(group: Group): Promise<void> {
    let data: string;
    try {
      data = await group.render();
    } catch (error) {
      this.#logger.warn({ err: errorMessage(error) }, "live update render failed");
      return;
    }
    if (data === group.last) return;
    group.last = data;
    const frame = `event: update\ndata: ${data.replace(/\n/g, "\ndata: ")}\n\n`;
    for (const res of group.clients) res.write(frame);
  }

  /** Holds `res` open as an event stream; `render` gives the data (one line of JSON) of this view. */
  subscribe(key: string, render: () => Promise<string>, res: ServerResponse, initial?: string): boolean {
    if (this.#closed || this.#clients >= this.#maxClients) return false;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 3000\n\n");
    let group = this.#groups.get(key);
    if (!group) {
      group = { render, clients: new Set() };
      if (initial !== undefined) group.last = initial;
      this.#groups.set(key, group);
    }
    group.clients.add(res);
    this.#clients++;
    const joined = group;
    res.on("close", () => {
      if (!joined.clients.delete(res)) return;
      this.#clients--;
      if (joined.clients.size === 0) this.#groups.delete(key);
    });
    return true;
  }

  #broadcast(text: string): void {
    for (const group of this.#groups.values()) for (const res of group.clients) res.write(text);
  }

  /** Ends every stream (so the HTTP server can close) and stops the timers. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#pending) clearTimeout(this.#pending);
    for (const group of this.#groups.values()) for (const res of group.clients) res.end();
    this.#groups.clear();
    this.#clients = 0;
  }
}
