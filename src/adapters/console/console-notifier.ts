import { renderStatusText, type StatusMessage } from "../../core/messages/status-message.ts";
import type { Notifier } from "../../ports.ts";

/** Prints status messages where a channel would get them: the demo's and the CLI's notifier. */
export class ConsoleNotifier implements Notifier {
  readonly #write: (text: string) => void;
  constructor(write: (text: string) => void = (text) => process.stdout.write(`${text}\n`)) {
    this.#write = write;
  }
  async post(message: StatusMessage): Promise<void> {
    this.#write(renderStatusText(message));
  }
}

/** Posts nothing: the CLI's default, where the command's own output is the message. */
export const silentNotifier: Notifier = { post: async () => {} };
