/**
 * A flag service refused or failed. The message is ours: the service's name, the request's method
 * and path, the status and a hint — never the response body (it can echo the request, credentials
 * included) and never a header.
 */
export class FlagServiceError extends Error {
  readonly code = "flag_service";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "FlagServiceError";
  }
}

const HINTS: Record<number, string> = {
  400: "the service refused the request",
  401: "check the target's token",
  403: "the token may not change this flag",
  404: "no such flag, project or environment",
  409: "conflict: the flag changed meanwhile or a change request is pending",
  422: "the service refused the value",
  429: "rate limited",
};

export function statusHint(status: number): string {
  return HINTS[status] ?? (status >= 500 ? "the service failed" : "unexpected answer");
}
