import type { StatusMessage } from "../../core/messages/status-message.ts";
import type { Logger, Notifier } from "../../ports.ts";

/** Until a chat notifier is configured, status messages become structured log lines. */
export class LogNotifier implements Notifier {
  readonly #logger: Logger;
  constructor(logger: Logger) {
    this.#logger = logger;
  }
  async post(message: StatusMessage): Promise<void> {
    this.#logger.info(
      {
        rollout: message.rollout,
        repo: message.repo,
        event: message.event,
        colour: message.colour,
        percent: message.percent,
        reasons: message.health.reasons.map((r) => `${r.pass ? "ok" : "FAIL"} ${r.text}`),
      },
      message.headline,
    );
  }
}
