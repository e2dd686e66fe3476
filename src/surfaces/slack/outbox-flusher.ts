import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../ports.ts";

/**
 * Re-sends status posts that failed while Slack was unreachable, every minute by default, so a
 * rollback's red message arrives soon after Slack recovers rather than at the next scheduled post.
 */

export interface Flushable {
  readonly pending: number;
  flush(): Promise<void>;
}

export function startOutboxFlusher(notifier: Flushable, logger: Logger, intervalMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || notifier.pending === 0) return;
    running = true;
    notifier
      .flush()
      .catch((error: unknown) => logger.debug({ err: errorMessage(error) }, "slack outbox still pending"))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
