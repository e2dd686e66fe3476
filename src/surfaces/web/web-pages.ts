import type { IncomingMessage, ServerResponse } from "node:http";
import { type CommandOutcome, runCommand } from "../../commands/run-command.ts";
import type { RolloutRef } from "../../core/commands/command.ts";
import { errorMessage, isRolloutError } from "../../core/errors.ts";
import { type Html, html, jsonScript } from "./html.ts";
import { chartPayload } from "./render-charts.ts";
import { renderLayout } from "./render-layout.ts";
import { renderList } from "./render-list.ts";
import { type RolloutView, renderControls, renderRolloutLive } from "./render-rollout.ts";
import { type Admission, admit, type Viewer } from "./viewer.ts";
import type { WebDeps } from "./web-deps.ts";
import { assetVersion, messagePage, redirect, sendHtml, sendJson } from "./web-http.ts";

/** The list, a rollout's page and their live updates: every figure from `runCommand`, as the viewer. */

const ROLLOUT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REPO_NAME = /^[\w.-]{1,100}\/[\w.-]{1,100}$/;

/** The rollout a query names (`?repo=acme/shop&id=checkout`), or undefined when malformed. */
export function rolloutRefOf(query: URLSearchParams): Required<RolloutRef> | undefined {
  const id = query.get("id") ?? "";
  const repo = query.get("repo") ?? "";
  return ROLLOUT_ID.test(id) && REPO_NAME.test(repo) ? { id, repo } : undefined;
}

function refused(req: IncomingMessage, res: ServerResponse, deps: WebDeps, admission: Admission): void {
  if (admission.ok) return;
  if (admission.status === 401 && req.method === "GET" && !req.url?.startsWith("/events")) {
    redirect(res, `/auth/login?${new URLSearchParams({ return: req.url ?? "/" })}`);
    return;
  }
  if (req.url?.startsWith("/events")) sendJson(res, admission.status, { error: admission.message });
  else
    sendHtml(res, admission.status, messagePage(deps, admission.status, "Not signed in", admission.message));
}

async function listData(deps: WebDeps, viewer: Viewer) {
  const outcome = await runCommand(deps.services, {
    command: { verb: "list" },
    principal: viewer.principal,
    scope: deps.registry,
  });
  if (outcome.kind !== "list") throw new Error(`list answered ${outcome.kind}`);
  return renderList(outcome.rollouts, outcome.invalid);
}

type RolloutResult = { ok: true; view: RolloutView } | { ok: false; message: string };

async function rolloutData(deps: WebDeps, viewer: Viewer, ref: Required<RolloutRef>): Promise<RolloutResult> {
  const ask = (command: Parameters<typeof runCommand>[1]["command"], detail = false) =>
    runCommand(deps.services, { command, principal: viewer.principal, scope: deps.registry, detail });
  let status: CommandOutcome;
  let history: CommandOutcome;
  try {
    [status, history] = await Promise.all([
      ask({ verb: "status", rollout: ref }, true),
      ask({ verb: "history", rollout: ref }),
    ]);
  } catch (error) {
    if (isRolloutError(error)) return { ok: false, message: error.message };
    throw error;
  }
  // Refused reads and unknown rollouts read the same: the page says nothing of what it may not show.
  if (status.kind !== "status" || !status.detail || !status.statuses[0] || history.kind !== "history")
    return { ok: false, message: `No rollout ${ref.repo}:${ref.id} that you may see.` };
  return { ok: true, view: { status: status.statuses[0], detail: status.detail, history: history.entries } };
}

function liveFrame(body: Html, charts: unknown[] = []): string {
  return JSON.stringify({ html: body.text, charts });
}

function page(deps: WebDeps, viewer: Viewer, title: string, body: Html): Html {
  return renderLayout({
    title,
    viewer: viewer.label,
    signedIn: viewer.principal.kind === "github",
    csrf: viewer.session.csrf,
    assetVersion: assetVersion(deps),
    body,
  });
}

export async function listPage(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Promise<void> {
  const admission = admit(req, res, deps);
  if (!admission.ok) return refused(req, res, deps, admission);
  const { viewer } = admission;
  const live = await listData(deps, viewer);
  const body = html`<h1>Rollouts</h1>
    <div id="live" data-events="/events" aria-live="off">${live}</div>
    <p id="live-status" class="sr-only" role="status" aria-live="polite"></p>`;
  sendHtml(res, 200, page(deps, viewer, "Rollouts", body));
}

export async function rolloutPage(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Promise<void> {
  const admission = admit(req, res, deps);
  if (!admission.ok) return refused(req, res, deps, admission);
  const { viewer } = admission;
  const ref = rolloutRefOf(new URL(req.url ?? "/", "http://page").searchParams);
  if (!ref) {
    sendHtml(
      res,
      400,
      messagePage(deps, 400, "Bad address", "Expected /rollout?repo=owner/name&id=rollout-id.", viewer.label),
    );
    return;
  }
  const result = await rolloutData(deps, viewer, ref);
  if (!result.ok) {
    sendHtml(res, 404, messagePage(deps, 404, "Not found", result.message, viewer.label));
    return;
  }
  const { status, detail } = result.view;
  const events = `/events?${new URLSearchParams({ repo: ref.repo, id: ref.id })}`;
  const body = html`<p class="crumbs"><a href="/">Rollouts</a> › ${status.repo}</p>
    <h1>${status.rollout}</h1>
    <div id="live" data-events="${events}">${renderRolloutLive(result.view)}</div>
    <p id="live-status" class="sr-only" role="status" aria-live="polite"></p>
    ${jsonScript("chart-data", detail.charts.map(chartPayload))}
    ${renderControls(status, viewer.session.csrf)}`;
  sendHtml(res, 200, page(deps, viewer, `${status.rollout} · ${status.repo}`, body));
}

/** `GET /events[?repo&id]`: the live region of the list or of one rollout, pushed when it changes. */
export async function events(req: IncomingMessage, res: ServerResponse, deps: WebDeps): Promise<void> {
  const admission = admit(req, res, deps);
  if (!admission.ok) return refused(req, res, deps, admission);
  const { viewer } = admission;
  const query = new URL(req.url ?? "/", "http://page").searchParams;
  const ref = query.has("id") ? rolloutRefOf(query) : undefined;
  if (query.has("id") && !ref)
    return sendJson(res, 400, { error: "expected ?repo=owner/name&id=rollout-id" });
  const render = async () => {
    try {
      if (!ref) return liveFrame(await listData(deps, viewer));
      const result = await rolloutData(deps, viewer, ref);
      if (!result.ok) return liveFrame(html`<p class="message">${result.message}</p>`);
      return liveFrame(renderRolloutLive(result.view), result.view.detail.charts.map(chartPayload));
    } catch (error) {
      deps.logger.warn({ err: errorMessage(error) }, "status page render failed");
      throw error;
    }
  };
  const key = `${viewer.key}|${ref ? `${ref.repo}:${ref.id}` : "list"}`;
  if (!deps.live.subscribe(key, render, res))
    sendJson(res, 503, { error: "too many open pages; try again later" });
}
