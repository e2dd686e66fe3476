import {
  type FetchFunction,
  type RetryOptions,
  WebAPIPlatformError,
  WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import { errorMessage, RolloutError } from "../../core/errors.ts";
import { renderReplyText, renderStatusBlocks, type SlackRender } from "../../core/messages/slack-blocks.ts";
import type { StatusEvent, StatusMessage } from "../../core/messages/status-message.ts";
import { renderWeeklyReport, type WeeklyReport } from "../../core/messages/weekly-report.ts";
import type { Clock, Logger, Notifier, SlackMessageRef, SlackMessageStore } from "../../ports.ts";
import { MemorySlackMessageStore } from "../memory/memory-slack-store.ts";
import { slackLogger } from "./slack-logger.ts";

/**
 * Posts status messages to Slack: one message per rollout stage, updated in place with a short
 * threaded reply per update; milestones are also announced as a new top-level message, which then
 * becomes the stage's message. Posts that fail for transport reasons wait in an outbox.
 */

/**
 * Up to 3 retries, 250 ms doubling (randomised), no new attempt once 6 s have passed: with 2.5 s per
 * attempt, a hanging Slack fails the post in about 9 s. A 429 waits its Retry-After (≤ 5 s) first.
 */
export const SLACK_RETRY: RetryOptions = {
  retries: 3,
  factor: 2,
  minTimeout: 250,
  maxTimeout: 2000,
  randomize: true,
  maxRetryTime: 6000,
};

export interface SlackNotifierOptions {
  token: string;
  /** Web API base, e.g. `http://127.0.0.1:4000/api/`; a missing trailing slash is added. */
  slackApiUrl?: string | undefined;
  defaultChannel?: string | undefined;
  store?: SlackMessageStore;
  logger: Logger;
  /** Shows an "updated" time on the message. */
  clock?: Clock;
  githubUrl?: string;
  /** The status page's public URL: messages link to their rollout's page. */
  pageUrl?: string | undefined;
  retry?: RetryOptions | undefined;
  /** Per attempt. */
  timeoutMs?: number;
  /** A 429 asking to wait longer than this fails at once (to the outbox) instead of blocking the caller. */
  maxRetryAfterSeconds?: number;
  /** Rollouts whose latest failed post is kept; the oldest is dropped beyond it. */
  outboxLimit?: number;
}

/** Announced as a new top-level message, not only as an update of the stage's message. */
const MILESTONES: ReadonlySet<StatusEvent> = new Set([
  "started",
  "advanced",
  "stage_passed",
  "rolled_back",
  "completed",
  "alert",
]);
/** A milestone, or health turning red (a page): new top-level message; other changes are threaded. */
const announces = (message: StatusMessage) =>
  MILESTONES.has(message.event) || (message.event === "health_changed" && message.colour === "red");
/** States rather than acts: the scheduler repeats them every tick, but they are announced once a stage. */
const ANNOUNCED_ONCE: ReadonlySet<StatusEvent> = new Set(["stage_passed", "completed"]);
/** Slack's own errors that mean "try again later", not "this message is wrong". */
const TRANSIENT = new Set([
  "ratelimited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);
/** The stored message can no longer be edited: post a new one. */
const GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed"]);

interface OutboxEntry {
  message: StatusMessage;
  announce: boolean;
}

export class SlackNotifier implements Notifier {
  readonly #client: WebClient;
  readonly #logger: Logger;
  readonly #store: SlackMessageStore;
  readonly #defaultChannel: string | undefined;
  readonly #clock: Clock | undefined;
  readonly #githubUrl: string | undefined;
  readonly #pageUrl: string | undefined;
  readonly #outbox = new Map<string, OutboxEntry>();
  readonly #outboxLimit: number;
  #queue: Promise<unknown> = Promise.resolve();
  #rateLimitedFor: number | undefined;

  constructor(options: SlackNotifierOptions) {
    this.#logger = options.logger.child({ component: "slack" });
    this.#store = options.store ?? new MemorySlackMessageStore();
    this.#defaultChannel = options.defaultChannel;
    this.#clock = options.clock;
    this.#githubUrl = options.githubUrl;
    this.#pageUrl = options.pageUrl;
    this.#outboxLimit = options.outboxLimit ?? 50;
    const maxRetryAfter = options.maxRetryAfterSeconds ?? 5;
    this.#client = new WebClient(options.token, {
      ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
      retryConfig: options.retry ?? SLACK_RETRY,
      timeout: options.timeoutMs ?? 2500,
      rejectRateLimitedCalls: false,
      logger: slackLogger(this.#logger, [options.token]),
      fetch: cappedRetryAfter(maxRetryAfter, (seconds) => {
        this.#rateLimitedFor = seconds;
      }),
    });
  }

  /** Rollouts whose latest post is waiting to be re-sent. */
  get pending(): number {
    return this.#outbox.size;
  }

  async post(message: StatusMessage): Promise<void> {
    return this.#serial(async () => {
      try {
        await this.#flushOutbox();
      } catch (error) {
        // Slack is still unreachable: keep this one too rather than wait out the retries twice.
        this.#keep(message, announces(message));
        throw error;
      }
      await this.#send({ message, announce: announces(message) });
    });
  }

  /** A repository's weekly report: a message of its own in the channel (not a stage's message). */
  async postReport(report: WeeklyReport): Promise<void> {
    const { text, blocks } = renderWeeklyReport(report.repo, report.rows);
    await this.#serial(() =>
      this.#client.chat.postMessage({
        channel: report.channel,
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  }

  /** Re-sends what failed earlier, oldest first; rejects (keeping the rest) while Slack is unreachable. */
  async flush(): Promise<void> {
    return this.#serial(() => this.#flushOutbox());
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #flushOutbox(): Promise<void> {
    for (const entry of [...this.#outbox.values()]) {
      try {
        await this.#send(entry);
        this.#logger.info(
          { rollout: entry.message.rollout, pending: this.#outbox.size },
          "outbox post delivered",
        );
      } catch (error) {
        // A post Slack refuses for good has been dropped; anything else means Slack is still unreachable.
        if (!(error instanceof RolloutError && isPermanent(error.cause))) throw error;
      }
    }
  }

  /** Delivers one entry; a transport failure keeps it in the outbox, a permanent one drops it. */
  async #send(entry: OutboxEntry): Promise<void> {
    const { message } = entry;
    const key = outboxKey(message);
    const settle = () => {
      if (this.#outbox.get(key) === entry) this.#outbox.delete(key);
    };
    try {
      await this.#deliver(entry);
      settle();
    } catch (error) {
      const fields = { rollout: message.rollout, repo: message.repo, event: message.event };
      const detail = this.#describe(error);
      if (isPermanent(error)) {
        settle();
        this.#logger.error({ ...fields, error: detail }, "slack post refused");
      } else {
        this.#keep(message, entry.announce);
        this.#logger.warn(
          { ...fields, error: detail, pending: this.#outbox.size },
          "slack post failed; kept",
        );
      }
      throw new RolloutError("UPSTREAM", `Slack post failed: ${detail}`, { cause: error });
    }
  }

  #keep(message: StatusMessage, announce: boolean): void {
    const key = outboxKey(message);
    const previous = this.#outbox.get(key);
    // The newest state wins, but a milestone it replaces is still announced. An existing key keeps
    // its place: the outbox is re-sent in the order rollouts first failed.
    this.#outbox.set(key, { message, announce: announce || (previous?.announce ?? false) });
    for (const [oldest, dropped] of this.#outbox) {
      if (this.#outbox.size <= this.#outboxLimit) break;
      this.#outbox.delete(oldest);
      this.#logger.warn({ rollout: dropped.message.rollout }, "slack outbox full; oldest post dropped");
    }
  }

  async #deliver({ message, announce }: OutboxEntry): Promise<void> {
    const channel = message.channel ?? this.#defaultChannel;
    if (channel === undefined) {
      this.#logger.warn(
        { rollout: message.rollout, repo: message.repo },
        "no slack channel; status not posted",
      );
      return;
    }
    const key = `${channel}|${message.repo}|${message.rollout}|${message.percent}`;
    const onceKey = `${key}#${message.event}`;
    const repeated = ANNOUNCED_ONCE.has(message.event) && (await this.#store.get(onceKey)) !== undefined;
    const render = renderStatusBlocks(message, {
      ...(this.#clock ? { now: this.#clock.now() } : {}),
      ...(this.#githubUrl === undefined ? {} : { githubUrl: this.#githubUrl }),
      pageUrl: this.#pageUrl,
    });
    const existing = await this.#store.get(key);
    if (existing && (await this.#update(existing, render))) {
      if (!announce || repeated) {
        await this.#call(() =>
          this.#client.chat.postMessage({
            channel: existing.channel,
            thread_ts: existing.ts,
            text: renderReplyText(message),
            unfurl_links: false,
            unfurl_media: false,
          }),
        );
        return;
      }
    }
    const posted = await this.#call(() =>
      this.#client.chat.postMessage({
        channel,
        text: render.text,
        blocks: render.blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (posted.channel === undefined || posted.ts === undefined) return;
    const ref = { channel: posted.channel, ts: posted.ts };
    await this.#store.set(key, ref);
    if (ANNOUNCED_ONCE.has(message.event)) await this.#store.set(onceKey, ref);
  }

  /** Edits the stage's message; false when it can no longer be edited (deleted, too old). */
  async #update(ref: SlackMessageRef, render: SlackRender): Promise<boolean> {
    try {
      await this.#call(() =>
        this.#client.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: render.text,
          blocks: render.blocks,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof WebAPIPlatformError && GONE.has(error.data.error)) return false;
      throw error;
    }
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    this.#rateLimitedFor = undefined;
    return request();
  }

  #describe(error: unknown): string {
    if (this.#rateLimitedFor !== undefined) return `rate limited: retry after ${this.#rateLimitedFor}s`;
    if (error instanceof WebAPIPlatformError) return error.data.error;
    if (error instanceof WebAPIRequestError) {
      const cause = error.original.cause;
      const code = cause instanceof Error && "code" in cause ? ` (${String(cause.code)})` : "";
      return `${error.original.message}${code}`;
    }
    return errorMessage(error);
  }
}

const outboxKey = (message: StatusMessage) => `${message.repo}|${message.rollout}`;

function isPermanent(error: unknown): boolean {
  return error instanceof WebAPIPlatformError && !TRANSIENT.has(error.data.error);
}

/**
 * Slack may ask to wait minutes after a 429; the WebClient would sleep that long before its retry.
 * Beyond the cap, the Retry-After is hidden, so the WebClient gives up at once and the post waits
 * in the outbox instead of holding up the command that sent it.
 */
function cappedRetryAfter(maxSeconds: number, onCapped: (seconds: number) => void): FetchFunction {
  return async (url, init) => {
    const response = await fetch(url, init as RequestInit);
    if (response.status !== 429) return response;
    const seconds = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
    if (Number.isNaN(seconds) || seconds <= maxSeconds) return response;
    onCapped(seconds);
    const headers = new Headers(response.headers);
    headers.delete("retry-after");
    return new Response(await response.text(), { status: 429, statusText: response.statusText, headers });
  };
}

/** The WebClient's own log lines, into ours, with the token scrubbed from anything they carry. */
