/** Typed errors with a stable code; surfaces turn them into user-facing text. */
export type ErrorCode =
  | "INVALID_FILE"
  | "FILE_TOO_LARGE"
  | "NOT_FOUND"
  | "AMBIGUOUS"
  | "USAGE"
  | "REFUSED"
  | "CONFLICT"
  | "PROTECTED"
  | "UNAUTHORIZED"
  | "UPSTREAM";

export class RolloutError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];
  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RolloutError";
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function isRolloutError(error: unknown): error is RolloutError {
  return error instanceof RolloutError;
}

/** The message of anything thrown, for logs and "failed: …" details (never a stack trace). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
