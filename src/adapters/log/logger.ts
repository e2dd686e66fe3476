import { hostname } from "node:os";
import { type Logger as PinoLogger, pino } from "pino";
import type { Logger } from "../../ports.ts";

/** The one pino logger. Secrets are redacted by key wherever they appear in fields. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "privateKey",
  "*.privateKey",
];

/** The `service` field on every line, so a log pipeline can tell the bot's lines from its neighbours'. */
export const SERVICE_NAME = "rollout-bot";

/**
 * One JSON line per event. The server logs to stdout (fd 1), as containers and log shippers expect;
 * the CLI's `--verbose` logs to stderr (fd 2) so its stdout stays the command's output.
 */
export function createLogger(options: { level?: string; destination?: 1 | 2 } = {}): PinoLogger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      base: { service: SERVICE_NAME, pid: process.pid, hostname: hostname() },
      // "level":"warn" and an ISO time read the same in any log pipeline, with no pino-specific mapping.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    pino.destination({ dest: options.destination ?? 2, sync: true }),
  );
}

/** A logger that drops everything: for tests and quiet CLI runs. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
