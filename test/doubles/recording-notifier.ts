import type { StatusMessage } from "../../src/core/messages/status-message.ts";
import type { WeeklyReport } from "../../src/core/messages/weekly-report.ts";
import type { Notifier } from "../../src/ports.ts";

/** Keeps every message: the notifier for tests. */
export class RecordingNotifier implements Notifier {
  readonly messages: StatusMessage[] = [];
  readonly reports: WeeklyReport[] = [];
  async post(message: StatusMessage): Promise<void> {
    this.messages.push(message);
  }
}
