import { errorMessage } from "../core/errors.ts";
import type { StageView } from "../core/rollout/stage-view.ts";
import type { DispatchOutcome, RepoStore } from "../ports.ts";
import { postQuietly, statusNow } from "./evaluate.ts";
import { beginDispatch } from "./intent.ts";
import { loadRepo } from "./load-repo.ts";
import { contextFor, type Services } from "./services.ts";

/**
 * A new percentage reached the default branch without a commit of the bot's (its bump PR merged, or a
 * person pushed an edit): the stage starts now. Under the rollout's lease and journaled like any
 * transition, so the on-change dispatch cannot interleave with an alert's rollback and is finished
 * by the next pass if the process dies first. Then the stage is announced.
 */

export interface StageChange {
  rollout: string;
  from: number;
  to: number;
  /** The commit that brought the change (the merge commit, the pushed head). */
  commit: string;
  /** Who made it, for the log and the announcement. */
  actor: string;
  /** An urgent rollback PR merged: its workflow ran when the rollback happened; only announce. */
  recordOnly?: boolean;
  headline: (view: StageView) => string;
}

export interface StageStarted {
  rollout: string;
  dispatched: (DispatchOutcome & { workflow: string })[];
}

export async function startStage(
  services: Services,
  store: RepoStore,
  change: StageChange,
): Promise<StageStarted | undefined> {
  const ctx = contextFor(services, store, change.actor);
  return ctx.lease(change.rollout, async () => {
    const repo = await loadRepo(store);
    const rollout = repo.rollouts.find((r) => r.id === change.rollout);
    if (!rollout) return undefined;
    const workflow = rollout.file.workflows?.on_change;
    const dispatches =
      workflow && !change.recordOnly
        ? [
            {
              workflow,
              ref: rollout.file.workflows?.ref,
              inputs: { rollout: rollout.id, from: String(change.from), to: String(change.to) },
            },
          ]
        : [];
    const intent = await beginDispatch(ctx, {
      rollout: rollout.id,
      path: rollout.path,
      action: "start",
      from: change.from,
      to: change.to,
      commit: change.commit,
      dispatches,
    });
    const dispatched: StageStarted["dispatched"] = [];
    if (!intent || (await intent.claimDispatch(change.commit))) {
      for (const dispatch of dispatches) {
        try {
          dispatched.push({ workflow: dispatch.workflow, ...(await store.dispatchWorkflow(dispatch)) });
        } catch (error) {
          ctx.logger.error(
            { workflow: dispatch.workflow, err: errorMessage(error) },
            "on-change dispatch failed",
          );
          dispatched.push({
            workflow: dispatch.workflow,
            dispatched: false,
            detail: `dispatch failed: ${errorMessage(error)}`,
          });
        }
      }
      await intent?.settle(dispatched.every((d) => d.dispatched || d.unsupported));
    }
    const { status } = await statusNow(ctx, rollout, repo.settings, {
      event: "started",
      headline: change.headline,
    });
    await postQuietly(ctx, status);
    return { rollout: rollout.id, dispatched };
  });
}
