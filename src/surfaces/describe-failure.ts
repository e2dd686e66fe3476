import { errorMessage, isRolloutError } from "../core/errors.ts";
import type { Logger } from "../ports.ts";

/**
 * A thrown error as every surface shows it: a RolloutError's own message and details (it was written
 * for the user), an upstream HTTP status explained, anything else "internal error (logged)" — and
 * logged here, once, with what it really was.
 */

export interface Failure {
  code: string;
  message: string;
  details: readonly string[];
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number"
    ? error.status
    : undefined;
}

export function describeFailure(error: unknown, logger: Logger): Failure {
  if (isRolloutError(error)) return { code: error.code, message: error.message, details: error.details };
  const status = statusOf(error);
  logger.error({ err: errorMessage(error), ...(status === undefined ? {} : { status }) }, "command failed");
  if (status === 401) return { code: "UPSTREAM", message: "GitHub refused the token (401)", details: [] };
  if (status === 403 || status === 404) {
    return {
      code: "UPSTREAM",
      message: `GitHub answered ${status}: does the token or the App have the permissions this command needs (contents, pull-requests, actions)?`,
      details: [],
    };
  }
  if (status !== undefined)
    return { code: "UPSTREAM", message: `GitHub answered ${status} (logged)`, details: [] };
  return { code: "INTERNAL", message: "internal error (logged)", details: [] };
}
