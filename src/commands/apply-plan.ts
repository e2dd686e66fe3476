import { errorMessage, isRolloutError } from "../core/errors.ts";
import type { FlagTargetReport } from "../core/flags/flag-report.ts";
import type { StatusMessage } from "../core/messages/status-message.ts";
import type { Delivery } from "../core/rollout/mutation.ts";
import type { Plan } from "../core/rollout/plan.ts";
import type { DispatchOutcome, ProposalResult } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { postQuietly } from "./evaluate.ts";
import { beginIntent } from "./intent.ts";
import { reconcilePlannedFlags } from "./reconcile-flags.ts";

/**
 * Carries a decided plan out through the ports, journaled: the bump PR, or the commit (an urgent PR
 * when branch protection refuses a rollback's commit), then the dispatches — claimed once, so a
 * replica finishing an interrupted transition never dispatches twice — then clean-up and the message.
 * The commit is the source of truth: a failed dispatch is reported loudly, never rolled back.
 */

export type AppliedOutcome =
  | {
      kind: "proposed";
      plan: Plan;
      status: StatusMessage;
      pr: ProposalResult;
      /** The proposal is new or changed, so it was announced (a refresh of the same one is not). */
      news: boolean;
      /** False only when an announcement was due and could not be posted. */
      notified: boolean;
    }
  | {
      kind: "applied";
      plan: Plan;
      status: StatusMessage;
      commit?: string | undefined;
      /** Set when branch protection refused the commit and an urgent PR carries the change instead. */
      urgentPr?: ProposalResult;
      dispatches: (DispatchOutcome & { workflow: string })[];
      /** The flag services the committed file names, brought in step (retried by the next pass). */
      flags: FlagTargetReport[];
      notified: boolean;
    };

export async function applyPlan(
  ctx: CommandContext,
  plan: Plan,
  delivery: Delivery,
  planned: StatusMessage,
): Promise<AppliedOutcome> {
  const log = ctx.logger.child({ rollout: plan.rollout, action: plan.action });
  const files = plan.edits.map((e) => ({ path: e.path, text: e.after, baseVersion: e.baseVersion }));
  const pulls = ctx.store.pulls;
  if (delivery.kind === "propose" && pulls) {
    const pr = await pulls.propose({ ...delivery.proposal, files, message: plan.commitMessage });
    log.info({ pr: pr.number, created: pr.created }, "bump pull request ready");
    const status = {
      ...planned,
      headline: `${plan.rollout}: ready for ${plan.to.percent}% — approve and merge PR #${pr.number} ${pr.url}`,
      proposed: { percent: plan.to.percent, pr: { number: pr.number, url: pr.url } },
    };
    // Announced when the proposal is new or changed; the tick refreshes an open PR every pass, and a
    // thread reply per refresh is spam.
    const news = pr.created || pr.changed !== false;
    return {
      kind: "proposed",
      plan,
      status,
      pr,
      news,
      notified: news ? await postQuietly(ctx, status) : true,
    };
  }
  const status = { ...planned };
  // A rollback's writes (commit, urgent PR, dispatch) go ahead of the host's other queued writes.
  const urgent = plan.action === "rollback";
  let commit: string | undefined;
  let urgentPr: ProposalResult | undefined;
  // Journaled before the commit: a process dying between commit and dispatch leaves a trace.
  const intent = await beginIntent(ctx, plan);
  try {
    commit = (await ctx.store.commit({ files, message: plan.commitMessage, urgent })).commit;
    log.info({ commit, from: plan.from.percent, to: plan.to.percent }, "change committed");
  } catch (error) {
    const fallback = delivery.kind === "commit" ? delivery.fallback : undefined;
    if (!isRolloutError(error) || error.code !== "PROTECTED" || !fallback || !pulls) {
      await intent?.failed(error);
      throw error;
    }
    urgentPr = await pulls.propose({ ...fallback, files, message: plan.commitMessage, urgent });
    log.error(
      { pr: urgentPr.number },
      "protected branch refused the rollback commit: urgent pull request opened",
    );
    status.headline = `🚨 ${status.headline} — branch protection refused the commit: merge urgent PR #${urgentPr.number} ${urgentPr.url}`;
  }
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
      dispatches.push({
        workflow: dispatch.workflow,
        ...(await ctx.store.dispatchWorkflow(dispatch, { urgent })),
      });
    } catch (error) {
      const detail = errorMessage(error);
      log.error({ workflow: dispatch.workflow, err: detail }, "workflow dispatch failed");
      dispatches.push({
        workflow: dispatch.workflow,
        dispatched: false,
        detail: `dispatch failed: ${detail}`,
      });
    }
  }
  // The flags follow the file as committed (or as the urgent PR carries it: a rollback lowers
  // traffic at once, whatever the branch protection says; the pass holds them while that PR is open).
  const flags = ctx.flags
    ? await reconcilePlannedFlags({
        repo: ctx.store.name,
        plan,
        services: ctx.flags.services,
        ledger: ctx.flags.ledger,
        logger: log,
      }).catch((error: unknown) => {
        log.error({ err: errorMessage(error) }, "flag services not reconciled");
        return [];
      })
    : [];
  // A store that cannot dispatch at all (a plain checkout) leaves nothing to finish later.
  if (mayDispatch) await intent?.settle(dispatches.every((d) => d.dispatched || d.unsupported));
  const closeBump = delivery.kind === "commit" ? delivery.closeBump : undefined;
  if (closeBump && pulls) {
    // Clean-up, not the rollback: an alert's answer does not wait for it (ctx.defer).
    const close = () =>
      pulls.close(closeBump.branch, closeBump.comment).then(
        () => undefined,
        (error: unknown) => log.warn({ err: errorMessage(error) }, "could not close the bump pull request"),
      );
    if (ctx.defer) ctx.defer(close);
    else await close();
  }
  const outcome: AppliedOutcome = {
    kind: "applied",
    plan,
    status,
    commit,
    dispatches,
    flags,
    notified: await postQuietly(ctx, status),
  };
  if (urgentPr) outcome.urgentPr = urgentPr;
  return outcome;
}
