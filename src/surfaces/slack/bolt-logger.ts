import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../../ports.ts";

/**
 * Bolt's and the WebClient's log lines, into our logger: one static message per level with the text
 * in a field, and any token that might appear in it scrubbed.
 */
export function boltLogger(logger: Logger, secrets: readonly string[]): BoltLogger {
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
    debug: (...parts: unknown[]) => logger.debug({ detail: text(parts) }, "bolt"),
    info: (...parts: unknown[]) => logger.info({ detail: text(parts) }, "bolt"),
    warn: (...parts: unknown[]) => logger.warn({ detail: text(parts) }, "bolt"),
    error: (...parts: unknown[]) => logger.error({ detail: text(parts) }, "bolt"),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
