import { errorMessage } from "../core/errors.ts";
import { renderBulkCommitMessage } from "../core/messages/commit-message.ts";
import { buildStatusMessage, type StatusMessage } from "../core/messages/status-message.ts";
import { buildPlan, type FileEdit, type Plan } from "../core/rollout/plan.ts";
import { viewState } from "../core/rollout/stage-view.ts";
import { applyTransition } from "../core/rollout/transition.ts";
import type { DispatchOutcome } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { evaluateRollout } from "./evaluate.ts";
import { loadRepo } from "./load-repo.ts";

/**
 * The emergency kill switch: every active rollout of the repository to 0% in ONE commit (so a
 * revert restores them all), then each one's rollback workflow, then the announcements.
 */

export interface RollbackAllOutcome {
  kind: "rollback-all";
  repo: string;
  dryRun: boolean;
  plans: Plan[];
  commitMessage: string;
  edits: FileEdit[];
  commit?: string | undefined;
  dispatches: (DispatchOutcome & { workflow: string; rollout: string })[];
  statuses: StatusMessage[];
  skipped: { rollout: string; why: string }[];
}

export async function rollbackAll(ctx: CommandContext, reason: string): Promise<RollbackAllOutcome> {
  const repo = await loadRepo(ctx.store);
  const now = ctx.clock.now();
  const plans: Plan[] = [];
  const statuses: StatusMessage[] = [];
  const skipped: RollbackAllOutcome["skipped"] = [];
  // Sync files may be shared between rollouts: each plan starts from the text the previous left.
  const syncTexts = new Map<string, { text: string; version?: string | undefined }>();
  for (const rollout of repo.rollouts) {
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
  const applied = await ctx.store.commit({
    files: outcome.edits.map((e) => ({ path: e.path, text: e.after, baseVersion: e.baseVersion })),
    message: commitMessage,
  });
  outcome.commit = applied.commit;
  ctx.logger.warn(
    { rollouts: plans.map((p) => p.rollout), commit: applied.commit },
    "emergency rollback of every rollout",
  );
  for (const plan of plans) {
    for (const dispatch of plan.dispatches) {
      try {
        outcome.dispatches.push({
          rollout: plan.rollout,
          workflow: dispatch.workflow,
          ...(await ctx.store.dispatchWorkflow(dispatch)),
        });
      } catch (error) {
        const detail = `dispatch failed: ${errorMessage(error)}`;
        outcome.dispatches.push({
          rollout: plan.rollout,
          workflow: dispatch.workflow,
          dispatched: false,
          detail,
        });
      }
    }
  }
  for (const status of statuses) await ctx.notifier.post(status).catch(() => undefined);
  return outcome;
}
