import type { RespondArguments } from "@slack/bolt";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../ports.ts";
import { errorReply } from "./slack-reply.ts";

/**
 * Answers through a `response_url` (valid 30 minutes, 5 uses), with a bounded retry: a reply that
 * cannot be delivered is logged, never allowed to fail the work that produced it.
 */

export type Respond = (message: RespondArguments) => Promise<unknown>;

const DELAYS_MS = [250, 1000];

export async function respondSafely(
  respond: Respond,
  message: RespondArguments,
  logger: Logger,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await respond(message);
      return true;
    } catch (error) {
      const delay = DELAYS_MS[attempt];
      const err = errorMessage(error);
      if (delay === undefined) {
        logger.warn({ err, attempts: attempt + 1 }, "slack reply not delivered");
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A `respond` for a response_url kept in a modal's metadata (view submissions carry none of their own). */
export function responderFor(url: string, fetchFn: typeof fetch = fetch): Respond {
  return async (message) => {
    const response = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`response_url answered ${response.status}`);
    await response.arrayBuffer();
    return response;
  };
}

/** A click whose value the bot did not write (or an old format): said so, nothing changed. */
export async function refuseUnknownButton(respond: Respond, logger: Logger): Promise<void> {
  logger.warn({}, "unrecognised button value");
  await respondSafely(
    respond,
    { ...errorReply("this button is not recognised: nothing was changed."), replace_original: false },
    logger,
  );
}
