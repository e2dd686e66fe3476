import type { RouteResult } from "./route-kit.ts";

/**
 * Injected failures in GitHub's real shapes: a 502 from the edge, or a secondary rate limit
 * (403 with "secondary rate limit" in the message, or 429), both with `retry-after`, which is
 * what Octokit's throttling plugin looks for.
 */

export interface FaultOptions {
  /** Share of eligible requests that fail, spread evenly (0.5 = every second one). */
  rate: number;
  status: 502 | 403 | 429;
  /** Seconds, sent as `retry-after` on 403/429 (default 1). */
  retryAfter?: number;
  /** Also fault the request that mints installation tokens (off by default). */
  includeTokenRequests?: boolean;
  /** Only fault these operations (operationIds or path templates). */
  only?: string[];
  /** Stop after this many faulted requests. */
  times?: number;
}

const SECONDARY_LIMIT_DOCS =
  "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const SECONDARY_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
  "If you reach out to GitHub Support for help, please include the request ID FAKE:0000.";
const TOKEN_OPERATION = "apps/create-installation-access-token";

export class FaultInjector {
  #options: FaultOptions | undefined;
  #credit = 0;
  #count = 0;

  constructor(options?: FaultOptions) {
    this.#options = options;
  }

  configure(options: FaultOptions | undefined): void {
    this.#options = options;
    this.#credit = 0;
    this.#count = 0;
  }

  /**
   * Even spreading instead of randomness, so a test is repeatable: rate 0.5 fails every second
   * eligible request. Minting installation tokens is spared unless asked, so a fault test
   * exercises the call under test rather than the auth plumbing.
   */
  shouldFault(operationId: string | undefined, pathTemplate: string | undefined): boolean {
    const options = this.#options;
    if (!options || options.rate <= 0) return false;
    if (operationId === TOKEN_OPERATION && !options.includeTokenRequests) return false;
    if (options.only && !options.only.some((t) => t === operationId || t === pathTemplate)) return false;
    if (options.times !== undefined && this.#count >= options.times) return false;
    this.#credit += options.rate;
    if (this.#credit < 1 - 1e-9) return false;
    this.#credit -= 1;
    this.#count += 1;
    return true;
  }

  response(docsUrl: string): RouteResult {
    const status = this.#options?.status ?? 502;
    if (status === 502) return { status, body: { message: "Server Error", documentation_url: docsUrl } };
    const body = {
      message: SECONDARY_LIMIT_MESSAGE,
      documentation_url: SECONDARY_LIMIT_DOCS,
      status: String(status),
    };
    return { status, body, headers: { "retry-after": String(this.#options?.retryAfter ?? 1) } };
  }
}
