import { errorMessage, RolloutError } from "../../core/errors.ts";

/** GitHub's answers mapped to the outcomes the commands understand. */

export function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number"
    ? error.status
    : undefined;
}

export function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  const message = typeof data?.message === "string" ? data.message : errorMessage(error);
  return message.slice(0, 300);
}

/** A ref update refused: someone else moved the branch (CAS lost) or the branch is protected. */
export function refUpdateError(error: unknown, branch: string): RolloutError {
  const status = statusOf(error);
  const message = messageOf(error);
  if (
    /protected branch|protected|must be made through a pull request/i.test(message) ||
    (status === 403 && /rule|protect/i.test(message))
  ) {
    return new RolloutError("PROTECTED", `${branch} is protected: ${message}`, { cause: error });
  }
  if (status === 422 || status === 409) {
    return new RolloutError("CONFLICT", `${branch} moved while the change was prepared: ${message}`, {
      cause: error,
    });
  }
  return new RolloutError("UPSTREAM", `GitHub refused the update of ${branch}: ${message}`, { cause: error });
}
