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

/**
 * A `createCommitOnBranch` refused: the branch moved since it was read (GitHub's STALE_DATA: "Expected
 * branch to point to … but it did not"), or a branch protection rule or ruleset refused a direct commit.
 */
export function commitOnBranchError(error: unknown, branch: string): RolloutError {
  const errors = (error as { errors?: { type?: string; message?: string }[] }).errors ?? [];
  const text = [errorMessage(error), ...errors.map((e) => `${e.type ?? ""} ${e.message ?? ""}`)].join(" ");
  if (errors.some((e) => e.type === "STALE_DATA") || /Expected branch to point to/i.test(text))
    return new RolloutError("CONFLICT", `${branch} moved while the change was prepared`, { cause: error });
  if (
    errors.some((e) => e.type === "BRANCH_PROTECTION_RULE_VIOLATION") ||
    /protected branch|repository rule violations|must be made through a pull request/i.test(text)
  ) {
    const reason = errors[0]?.message ?? messageOf(error);
    return new RolloutError("PROTECTED", `${branch} is protected: ${reason.slice(0, 300)}`, { cause: error });
  }
  return refUpdateError(error, branch);
}
