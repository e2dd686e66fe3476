import { errorMessage, isRolloutError, RolloutError } from "../core/errors.ts";
import { renderBranch } from "../core/messages/bump-pr.ts";
import { renderBulkCommitMessage } from "../core/messages/commit-message.ts";
import { buildStatusMessage, type StatusMessage } from "../core/messages/status-message.ts";
import { buildPlan, type FileEdit, type Plan } from "../core/rollout/plan.ts";
import { viewState } from "../core/rollout/stage-view.ts";
import { applyTransition } from "../core/rollout/transition.ts";
import type { DispatchOutcome, ProposalResult } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { evaluateRollout, postQuietly } from "./evaluate.ts";
import { beginIntent, type IntentHandle } from "./intent.ts";
import { type LoadedRepo, loadRepo } from "./load-repo.ts";

/**
 * The emergency kill switch: every active rollout of the repository to 0% in ONE commit (so a revert
 * restores them all), then each one's rollback workflow, its bump PR closed, the announcements. It
 * takes every affected rollout's lease (so no alert, tick or merge interleaves, and a duplicate or a
 * second replica finds them at 0% and does nothing), journals each rollout's dispatch before the
 * commit (a crash in between is finished by the next pass), and when branch protection refuses the
 * commit it opens one urgent PR and still dispatches every rollback workflow — said loudly. Completed
 * rollouts are left alone: a finished rollout is rolled back by name, never by the kill switch.
 */

export const ROLLBACK_ALL_BRANCH = "rollout/rollback-all";

export interface RollbackAllOutcome {
  kind: "rollback-all";
  repo: string;
  dryRun: boolean;
  plans: Plan[];
  commitMessage: string;
  edits: FileEdit[];
  commit?: string | undefined;
  /** Branch protection refused the commit: this PR carries the rollback into Git. */
  urgentPr?: ProposalResult;
  dispatches: (DispatchOutcome & { workflow: string; rollout: string })[];
  statuses: StatusMessage[];
  skipped: { rollout: string; why: string }[];
}

/** Takes the leases of `ids` one after another (sorted, so two callers never wait on each other), then runs `fn`. */
async function withLeases<T>(ctx: CommandContext, ids: readonly string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = ids;
  if (first === undefined || ctx.dryRun) return fn();
  const result = await ctx.lease(first, () => withLeases(ctx, rest, fn));
  if (result === undefined)
    throw new RolloutError(
      "CONFLICT",
      `another change of ${first} is still in progress: try rollback all again shortly`,
    );
  return result;
}

const active = (repo: LoadedRepo) =>
  repo.rollouts.filter((r) => (r.file.state?.percent ?? 0) > 0 && r.file.state?.phase !== "complete");

export async function rollbackAll(ctx: CommandContext, reason: string): Promise<RollbackAllOutcome> {
  const first = await loadRepo(ctx.store);
  const ids = active(first)
    .map((r) => r.id)
    .sort();
  // Re-read under the leases: what a concurrent change did before we held them counts.
  return withLeases(ctx, ids, async () =>
    decideAndApply(ctx, ids.length > 0 && !ctx.dryRun ? await loadRepo(ctx.store) : first, reason),
  );
}

async function decideAndApply(
  ctx: CommandContext,
  repo: LoadedRepo,
  reason: string,
): Promise<RollbackAllOutcome> {
  const now = ctx.clock.now();
  const plans: Plan[] = [];
  const statuses: StatusMessage[] = [];
  const skipped: RollbackAllOutcome["skipped"] = [];
  // Sync files may be shared between rollouts: each plan starts from the text the previous left.
  const syncTexts = new Map<string, { text: string; version?: string | undefined }>();
  for (const rollout of repo.rollouts) {
    if (rollout.file.state?.phase === "complete") {
      skipped.push({
        rollout: rollout.id,
        why: "complete: left alone (roll it back by name if you mean it)",
      });
      continue;
    }
    const result = applyTransition(rollout.file, repo.settings, { kind: "rollback", to: 0, reason }, now);
    if (!result.ok) {
      skipped.push({ rollout: rollout.id, why: result.refusal.message });
      continue;
    }
    for (const target of rollout.file.sync) {
      if (syncTexts.has(target.file)) continue;
      const file = await ctx.store.readFile(target.file);
      if (file) syncTexts.set(target.file, { text: file.text, version: file.version });
    }
    const { health } = await evaluateRollout(ctx, rollout, repo.settings);
    const planned = buildPlan({
      rollout,
      action: "rollback",
      result,
      actor: ctx.actor,
      reason,
      health,
      baseVersion: rollout.version,
      syncFiles: syncTexts,
    });
    if (!planned.ok) {
      skipped.push({ rollout: rollout.id, why: `${planned.message}: ${planned.details.join("; ")}` });
      continue;
    }
    plans.push(planned.plan);
    for (const edit of planned.plan.edits.slice(1))
      syncTexts.set(edit.path, { text: edit.after, version: edit.baseVersion });
    const file = { ...rollout.file, state: planned.plan.to };
    statuses.push(
      buildStatusMessage({
        id: rollout.id,
        repo: repo.name,
        path: rollout.path,
        file,
        view: viewState(file),
        health,
        now,
        event: "rolled_back",
        headline: `emergency rollback ${rollout.id}: ${planned.plan.summary.split(": ").at(-1)} — ${reason}`,
      }),
    );
  }
  const edits = new Map<string, FileEdit>();
  for (const edit of plans.flatMap((p) => p.edits)) {
    const earlier = edits.get(edit.path);
    edits.set(edit.path, earlier ? { ...earlier, after: edit.after } : edit);
  }
  const commitMessage = renderBulkCommitMessage({
    action: "rollback",
    actor: ctx.actor,
    reason,
    entries: plans.map((p) => ({
      rollout: p.rollout,
      from: p.from.percent,
      to: p.to.percent,
      evidence: p.evidence,
    })),
  });
  const outcome: RollbackAllOutcome = {
    kind: "rollback-all",
    repo: repo.name,
    dryRun: ctx.dryRun,
    plans,
    commitMessage,
    edits: [...edits.values()],
    dispatches: [],
    statuses,
    skipped,
  };
  if (ctx.dryRun || plans.length === 0) return outcome;
  await apply(ctx, outcome, reason);
  return outcome;
}

async function apply(ctx: CommandContext, outcome: RollbackAllOutcome, reason: string): Promise<void> {
  const { plans } = outcome;
  const files = outcome.edits.map((e) => ({ path: e.path, text: e.after, baseVersion: e.baseVersion }));
  // Journaled before the commit, one intent per rollout: a process dying in between leaves a trace.
  const intents = new Map<string, IntentHandle | undefined>();
  for (const plan of plans) intents.set(plan.rollout, await beginIntent(ctx, plan));
  try {
    // The kill switch's writes go ahead of the host's other queued writes, as a rollback's do.
    outcome.commit = (await ctx.store.commit({ files, message: outcome.commitMessage, urgent: true })).commit;
    ctx.logger.warn(
      { rollouts: plans.map((p) => p.rollout), commit: outcome.commit },
      "emergency rollback of every rollout",
    );
  } catch (error) {
    const pulls = ctx.store.pulls;
    if (!isRolloutError(error) || error.code !== "PROTECTED" || !pulls) {
      for (const intent of intents.values()) await intent?.failed(error);
      throw error;
    }
    const notice =
      "Branch protection refused the emergency rollback commit. Merge this pull request to record it in Git; every rollback workflow has been dispatched already.";
    outcome.urgentPr = await pulls.propose({
      urgent: true,
      branch: ROLLBACK_ALL_BRANCH,
      title:
        `🚨 URGENT rollback all: ${plans.map((p) => `${p.rollout} ${p.from.percent}% → 0%`).join(", ")}`.slice(
          0,
          250,
        ),
      body: [
        `> [!CAUTION]\n> ${notice}`,
        "",
        `Reason: ${reason}`,
        "",
        ...plans.map((p) => `- **${p.rollout}**: ${p.from.percent}% → 0%`),
      ].join("\n"),
      labels: ["rollout", "urgent"],
      files,
      message: outcome.commitMessage,
    });
    ctx.logger.error(
      { pr: outcome.urgentPr.number },
      "protected branch refused the emergency rollback: urgent pull request opened",
    );
    for (const status of outcome.statuses)
      status.headline = `🚨 ${status.headline} — branch protection refused the commit: merge urgent PR #${outcome.urgentPr.number} ${outcome.urgentPr.url}`;
  }
  for (const plan of plans) {
    const intent = intents.get(plan.rollout);
    const mayDispatch = intent ? await intent.claimDispatch(outcome.commit) : true;
    const results: (DispatchOutcome & { workflow: string; rollout: string })[] = [];
    for (const dispatch of plan.dispatches) {
      if (!mayDispatch) {
        results.push({
          rollout: plan.rollout,
          workflow: dispatch.workflow,
          dispatched: false,
          detail: "dispatched by another replica",
        });
        continue;
      }
      try {
        results.push({
          rollout: plan.rollout,
          workflow: dispatch.workflow,
          ...(await ctx.store.dispatchWorkflow(dispatch, { urgent: true })),
        });
      } catch (error) {
        results.push({
          rollout: plan.rollout,
          workflow: dispatch.workflow,
          dispatched: false,
          detail: `dispatch failed: ${errorMessage(error)}`,
        });
      }
    }
    if (mayDispatch) await intent?.settle(results.every((d) => d.dispatched || d.unsupported));
    outcome.dispatches.push(...results);
  }
  // The bump PRs the rollback makes obsolete.
  for (const plan of plans) {
    await ctx.store.pulls
      ?.close(
        renderBranch(plan.rollout),
        `Closed by rollout-bot: rollback all (${reason}) took ${plan.rollout} to 0%.`,
      )
      .catch((error: unknown) =>
        ctx.logger.warn(
          { rollout: plan.rollout, err: errorMessage(error) },
          "could not close the bump pull request",
        ),
      );
  }
  for (const status of outcome.statuses) await postQuietly(ctx, status);
}
