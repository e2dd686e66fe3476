import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { type CommandOutcome, runCommand } from "../../commands/run-command.ts";
import { actorOf } from "../../core/commands/authorize.ts";
import { type Command, cleanText } from "../../core/commands/command.ts";
import { isRolloutError } from "../../core/errors.ts";
import { statusPageUrl } from "../../core/messages/status-page-url.ts";
import { renderHuman } from "../cli/cli-render.ts";
import { HttpError } from "../http/read-body.ts";
import { sameToken } from "./session.ts";
import { currentViewer } from "./viewer.ts";
import type { WebDeps } from "./web-deps.ts";
import { messagePage, readForm, sameOrigin, sendHtml, sendJson, wantsJson } from "./web-http.ts";
import { rolloutRefOf } from "./web-pages.ts";

/**
 * `POST /rollout/action`: the page's controls. A session, its CSRF token and the page's own origin,
 * then the same `runCommand` as Slack and comments — so the same permissions, refusals and audit
 * trail. `at` is the percent the page showed: a second click after the rollout moved is refused
 * (stale), never a second rollback.
 */

const Action = z.strictObject({
  verb: z.enum(["advance", "rollback", "pause", "resume"]),
  repo: z.string(),
  id: z.string(),
  reason: z.string().max(500).optional(),
  at: z.coerce.number().min(0).max(100).optional(),
  csrf: z.string().optional(),
});

/** One line for the page: what happened, or why not. */
export function outcomeMessage(outcome: CommandOutcome): { ok: boolean; message: string } {
  switch (outcome.kind) {
    case "denied":
      return { ok: false, message: `Refused: ${outcome.reason}` };
    case "refused":
      return { ok: false, message: [`Refused: ${outcome.message}`, ...outcome.reasons].join(" · ") };
    case "stale":
      return {
        ok: false,
        message: `Refused: ${outcome.rollout} moved from ${outcome.drawnAt}% to ${outcome.percent}% since this page was drawn; nothing was changed`,
      };
    case "applied":
      return {
        ok: outcome.dispatches.every((d) => d.dispatched || d.unsupported),
        message: [
          outcome.status.headline,
          ...(outcome.commit ? [`commit ${outcome.commit.slice(0, 8)}`] : []),
          ...outcome.dispatches.map((d) =>
            d.dispatched ? `${d.workflow} dispatched` : `${d.workflow} not dispatched: ${d.detail ?? ""}`,
          ),
        ].join(" · "),
      };
    case "proposed":
      return {
        ok: true,
        message: `${outcome.pr.created ? "Opened" : "Refreshed"} PR #${outcome.pr.number}: ${outcome.pr.url}`,
      };
    default:
      return { ok: true, message: renderHuman(outcome).split("\n", 1)[0] ?? "" };
  }
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WebDeps,
  status: number,
  body: { ok: boolean; message: string; kind?: string },
  back?: string,
) {
  if (wantsJson(req)) return sendJson(res, status, body);
  // Without JavaScript the answer is a page with a way back.
  sendHtml(
    res,
    status,
    messagePage(deps, status, body.ok ? "Done" : "Not done", body.message, undefined, back),
  );
}

export async function rolloutAction(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Promise<void> {
  if (req.method !== "POST") throw new HttpError(405, "use POST");
  const viewer = currentViewer(req, deps);
  if (!viewer)
    return answer(req, res, deps, 401, { ok: false, message: "Refused: not signed in (reload the page)" });
  const fields = await readForm(req);
  const token = (req.headers["x-csrf-token"] as string | undefined) ?? fields.csrf;
  if (!sameOrigin(req, deps) || !sameToken(token, viewer.session.csrf)) {
    deps.logger.warn(
      { actor: actorOf(viewer.principal) },
      "status page action without a valid CSRF token refused",
    );
    return answer(req, res, deps, 403, {
      ok: false,
      message: "Refused: the request did not carry this page's CSRF token (reload the page and try again)",
    });
  }
  const parsed = Action.safeParse(fields);
  const ref = parsed.success
    ? rolloutRefOf(new URLSearchParams({ repo: parsed.data.repo, id: parsed.data.id }))
    : undefined;
  if (!parsed.success || !ref)
    return answer(req, res, deps, 400, {
      ok: false,
      message: "Refused: expected verb, repo, id (and a reason of at most 500 characters)",
    });
  const { verb, at } = parsed.data;
  const reason =
    parsed.data.reason === undefined ? undefined : cleanText(parsed.data.reason).trim() || undefined;
  if (verb === "rollback" && reason === undefined)
    return answer(req, res, deps, 400, { ok: false, message: "Refused: a rollback needs a reason" });
  const command: Command =
    verb === "rollback" || verb === "pause"
      ? { verb, rollout: ref, ...(reason === undefined ? {} : { reason }) }
      : { verb, rollout: ref };
  let outcome: CommandOutcome;
  try {
    outcome = await runCommand(deps.services, {
      command,
      principal: viewer.principal,
      scope: deps.registry,
      ...(at === undefined ? {} : { drawnAt: at }),
    });
  } catch (error) {
    if (!isRolloutError(error)) throw error;
    return answer(req, res, deps, 404, { ok: false, message: error.message });
  }
  deps.live.changed();
  const said = outcomeMessage(outcome);
  deps.logger.info(
    { actor: actorOf(viewer.principal), verb, rollout: ref.id, repo: ref.repo, result: outcome.kind },
    "status page action",
  );
  const status = said.ok ? 200 : outcome.kind === "denied" ? 403 : 409;
  answer(req, res, deps, status, { ...said, kind: outcome.kind }, statusPageUrl("", ref.repo, ref.id));
}
