import { LogLevel, type Logger as SlackLogger } from "@slack/web-api";
import type { Logger } from "../../ports.ts";

/**
 * The Slack SDKs' log lines (Bolt and every WebClient), into our logger: one static message per level
 * with the text in a field, and any token that might appear in it scrubbed.
 */
export function slackLogger(logger: Logger, secrets: readonly string[]): SlackLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) => {
    let line = parts
      .map((part) =>
        typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part),
      )
      .join(" ");
    for (const secret of secrets) if (secret !== "") line = line.split(secret).join("[redacted]");
    return line.slice(0, 2000);
  };
  return {
    debug: (...parts: unknown[]) => logger.debug({ detail: text(parts) }, "slack sdk"),
    info: (...parts: unknown[]) => logger.info({ detail: text(parts) }, "slack sdk"),
    warn: (...parts: unknown[]) => logger.warn({ detail: text(parts) }, "slack sdk"),
    error: (...parts: unknown[]) => logger.error({ detail: text(parts) }, "slack sdk"),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
