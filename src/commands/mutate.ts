import { isRolloutError, RolloutError } from "../core/errors.ts";
import { renderBody, renderBranch, renderTitle } from "../core/messages/bump-pr.ts";
import { buildStatusMessage, type StatusEvent, type StatusMessage } from "../core/messages/status-message.ts";
import { type Action, buildPlan, type Plan } from "../core/rollout/plan.ts";
import { viewState } from "../core/rollout/stage-view.ts";
import { applyTransition, type Transition } from "../core/rollout/transition.ts";
import type { DispatchOutcome, ProposalResult } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { type Evaluation, evaluateRollout } from "./evaluate.ts";
import { beginIntent } from "./intent.ts";
import { findRollout, type LoadedRepo, type LoadedRollout, loadRepo } from "./load-repo.ts";

/** One path for every mutating command: read → core decides → plan → (dry run: stop) → apply via ports. */

export interface MutationRequest {
  id: string;
  action: Action;
  event: StatusEvent;
  reason?: string | undefined;
  forced?: boolean;
  to?: number | undefined;
  transition: (evaluation: Evaluation) => Transition;
  /** An evaluation just made by the caller (the tick), reused on the first attempt only. */
  evaluation?: Evaluation;
}

export type MutationOutcome =
  | { kind: "refused"; rollout: string; message: string; reasons: string[]; status: StatusMessage }
  | { kind: "planned"; plan: Plan; status: StatusMessage }
  | { kind: "proposed"; plan: Plan; status: StatusMessage; pr: ProposalResult; notified: boolean }
  | {
      kind: "applied";
      plan: Plan;
      status: StatusMessage;
      commit?: string | undefined;
      /** Set when branch protection refused the commit and an urgent PR carries the change instead. */
      urgentPr?: ProposalResult;
      dispatches: (DispatchOutcome & { workflow: string })[];
      notified: boolean;
    };

const MAX_ATTEMPTS = 3;

async function readSyncFiles(ctx: CommandContext, rollout: LoadedRollout) {
  const files = new Map<string, { text: string; version?: string | undefined }>();
  const paths = [...new Set(rollout.file.sync.map((t) => t.file))];
  const read = await Promise.all(paths.map((path) => ctx.store.readFile(path)));
  for (const file of read) if (file) files.set(file.path, { text: file.text, version: file.version });
  return files;
}

function statusAfter(
  repo: LoadedRepo,
  rollout: LoadedRollout,
  plan: Plan,
  evaluation: Evaluation,
  now: Date,
  event: StatusEvent,
) {
  const file = { ...rollout.file, state: plan.to };
  return buildStatusMessage({
    id: rollout.id,
    repo: repo.name,
    file,
    view: viewState(file),
    health: evaluation.health,
    now,
    event,
    headline:
      plan.action === "complete"
        ? `${plan.summary} — rollout finished: remove the flag and the old code path, then archive ${rollout.path}`
        : `${plan.summary}${plan.reason ? ` — ${plan.reason}` : ""}`,
  });
}

async function attempt(
  ctx: CommandContext,
  request: MutationRequest,
  first: boolean,
): Promise<MutationOutcome> {
  const repo = await loadRepo(ctx.store);
  const rollout = findRollout(repo, request.id);
  const options = request.to === undefined ? {} : { to: request.to };
  const evaluation =
    first && request.evaluation
      ? request.evaluation
      : await evaluateRollout(ctx, rollout, repo.settings, options);
  const now = ctx.clock.now();
  const result = applyTransition(rollout.file, repo.settings, request.transition(evaluation), now);
  if (!result.ok) {
    const status = buildStatusMessage({
      id: rollout.id,
      repo: repo.name,
      file: rollout.file,
      view: evaluation.view,
      health: evaluation.health,
      now,
      gate: evaluation.gate,
    });
    return { kind: "refused", rollout: rollout.id, ...result.refusal, status };
  }
  // A bump PR carries no start time: the stage starts when the change reaches the default branch.
  const proposing = request.action === "advance" && ctx.store.propose !== undefined;
  const effective = proposing ? { ...result, to: { ...result.to, started_at: undefined } } : result;
  if (proposing) delete effective.to.started_at;
  const planned = buildPlan({
    rollout,
    action: request.action,
    result: effective,
    actor: ctx.actor,
    reason: request.reason,
    forced: request.forced ?? false,
    health: evaluation.health,
    gate: request.action === "advance" || request.action === "complete" ? evaluation.gate : undefined,
    baseVersion: rollout.version,
    syncFiles: await readSyncFiles(ctx, rollout),
  });
  if (!planned.ok) throw new RolloutError("REFUSED", planned.message, { details: planned.details });
  const plan = planned.plan;
  const status = statusAfter(repo, rollout, plan, evaluation, now, request.event);
  if (ctx.dryRun) return { kind: "planned", plan, status };

  const log = ctx.logger.child({ rollout: rollout.id, action: plan.action });
  const files = plan.edits.map((e) => ({ path: e.path, text: e.after, baseVersion: e.baseVersion }));
  const marker = { v: 1 as const, rollout: rollout.id, from: plan.from.percent, to: plan.to.percent };
  const prBody = (notice?: string) =>
    renderBody({
      marker: notice ? { ...marker, urgent: true } : marker,
      file: rollout.file,
      path: rollout.path,
      health: evaluation.health,
      gate: evaluation.gate,
      requiredApprovals:
        evaluation.gate.requiredApprovals ??
        evaluation.view.next?.stage.approvals ??
        repo.settings.defaults.approvals,
      ...(notice ? { notice } : {}),
    });
  if (proposing && ctx.store.propose) {
    const pr = await ctx.store.propose({
      branch: renderBranch(rollout.id),
      title: renderTitle(marker),
      body: prBody(),
      labels: ["rollout"],
      files,
      message: plan.commitMessage,
    });
    log.info({ pr: pr.number, created: pr.created }, "bump pull request ready");
    const announce = {
      ...status,
      event: "stage_passed" as const,
      headline: `${rollout.id}: ready for ${plan.to.percent}% — approve and merge PR #${pr.number} ${pr.url}`,
    };
    const notified = await ctx.notifier.post(announce).then(
      () => true,
      () => false,
    );
    return { kind: "proposed", plan, status: announce, pr, notified };
  }
  let commit: string | undefined;
  let urgentPr: ProposalResult | undefined;
  // Journaled before the commit: a process dying between commit and dispatch leaves a trace.
  const intent = await beginIntent(ctx, plan, rollout.version);
  try {
    commit = (await ctx.store.commit({ files, message: plan.commitMessage })).commit;
    log.info({ commit, from: plan.from.percent, to: plan.to.percent }, "change committed");
  } catch (error) {
    if (
      !isRolloutError(error) ||
      error.code !== "PROTECTED" ||
      plan.action !== "rollback" ||
      !ctx.store.propose
    ) {
      await intent?.failed(error);
      throw error;
    }
    const notice = `Branch protection refused the rollback commit. Merge this pull request to record the rollback in Git; the rollback workflow has been dispatched already.`;
    urgentPr = await ctx.store.propose({
      branch: renderBranch(rollout.id, true),
      title: renderTitle({ ...marker, urgent: true }),
      body: prBody(notice),
      labels: ["rollout", "urgent"],
      files,
      message: plan.commitMessage,
    });
    log.error(
      { pr: urgentPr.number },
      "protected branch refused the rollback commit: urgent pull request opened",
    );
    status.headline = `🚨 ${status.headline} — branch protection refused the commit: merge urgent PR #${urgentPr.number} ${urgentPr.url}`;
  }
  // The commit is the source of truth; a failed dispatch is reported loudly, not rolled back.
  const dispatches: (DispatchOutcome & { workflow: string })[] = [];
  // Re-checked before dispatching: another replica finishing this transition may have taken it.
  const mayDispatch = intent ? await intent.claimDispatch(commit) : true;
  if (!mayDispatch) log.warn({ commit }, "dispatch taken by another process finishing this transition");
  for (const dispatch of plan.dispatches) {
    if (!mayDispatch) {
      dispatches.push({
        workflow: dispatch.workflow,
        dispatched: false,
        detail: "dispatched by another replica",
      });
      continue;
    }
    try {
      dispatches.push({ workflow: dispatch.workflow, ...(await ctx.store.dispatchWorkflow(dispatch)) });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      log.error({ workflow: dispatch.workflow, err: detail }, "workflow dispatch failed");
      dispatches.push({
        workflow: dispatch.workflow,
        dispatched: false,
        detail: `dispatch failed: ${detail}`,
      });
    }
  }
  if (mayDispatch) await intent?.settle(dispatches.every((d) => d.dispatched));
  if (plan.action === "rollback" && ctx.store.closeProposal) {
    const why = `Closed by rollout-bot: ${rollout.id} was rolled back ${plan.from.percent}% → ${plan.to.percent}%${plan.reason ? ` (${plan.reason})` : ""}.`;
    await ctx.store.closeProposal(renderBranch(rollout.id), why).catch((error: unknown) => {
      log.warn({ err: String(error) }, "could not close the bump pull request");
    });
  }
  let notified = true;
  try {
    await ctx.notifier.post(status);
  } catch (error) {
    notified = false;
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "notification failed");
  }
  const outcome: MutationOutcome = { kind: "applied", plan, status, commit, dispatches, notified };
  if (urgentPr) outcome.urgentPr = urgentPr;
  return outcome;
}

/**
 * Runs a mutation under the rollout's lease (when the context has one: the server's surfaces, so
 * transitions from alerts, the scheduler, Slack and GitHub never interleave); on a compare-and-swap
 * conflict re-reads and re-decides, a bounded number of times.
 */
export async function mutate(ctx: CommandContext, request: MutationRequest): Promise<MutationOutcome> {
  if (!ctx.lease || ctx.dryRun) return mutateWithRetries(ctx, request);
  const outcome = await ctx.lease(request.id, () => mutateWithRetries(ctx, request));
  if (outcome === undefined)
    throw new RolloutError(
      "CONFLICT",
      `another change of ${request.id} is still in progress: try again shortly`,
    );
  return outcome;
}

async function mutateWithRetries(ctx: CommandContext, request: MutationRequest): Promise<MutationOutcome> {
  for (let i = 1; ; i++) {
    try {
      return await attempt(ctx, request, i === 1);
    } catch (error) {
      if (!isRolloutError(error) || error.code !== "CONFLICT" || i >= MAX_ATTEMPTS) throw error;
      ctx.logger.warn({ rollout: request.id, attempt: i }, "concurrent change; re-reading and retrying");
    }
  }
}
