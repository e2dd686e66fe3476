import { randomUUID } from "node:crypto";
import { isRolloutError } from "../core/errors.ts";
import type { Plan } from "../core/rollout/plan.ts";
import type { Intent, IntentJournal } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { markDispatched } from "./dispatch-marks.ts";

/**
 * The intent of one transition that dispatches workflows, kept in the journal from before its commit
 * until its dispatches are done: `mutate` calls these around its commit and its dispatch, and
 * `finishInterrupted` finds what a dead process left between the two.
 */
export interface IntentHandle {
  readonly intent: Intent;
  /** The commit failed in a way that proves nothing landed (a compare-and-swap conflict). */
  failed(error: unknown): Promise<void>;
  /** Takes the dispatch (committing/committed → dispatching); false when another process has it. */
  claimDispatch(commit: string | undefined): Promise<boolean>;
  /** All dispatched: forgotten; a failed dispatch: back to committed, for the next evaluation to retry. */
  settle(allDispatched: boolean): Promise<void>;
}

export async function beginIntent(ctx: CommandContext, plan: Plan): Promise<IntentHandle | undefined> {
  const journal = ctx.journal;
  if (!journal || plan.dispatches.length === 0) return undefined;
  const intent: Intent = {
    id: randomUUID(),
    repo: ctx.store.name,
    rollout: plan.rollout,
    path: plan.path,
    action: plan.action,
    from: plan.from.percent,
    to: plan.to.percent,
    baseVersion: plan.edits[0]?.baseVersion,
    dispatches: plan.dispatches,
    stage: "committing",
    at: ctx.clock.now().toISOString(),
    attempts: 0,
  };
  await journal.record(intent);
  return handleOf(ctx, journal, intent);
}

function handleOf(ctx: CommandContext, journal: IntentJournal, intent: Intent): IntentHandle {
  const { repo, rollout, id } = intent;
  return {
    intent,
    async failed(error) {
      if (isRolloutError(error) && error.code === "CONFLICT") await journal.clear(repo, rollout, id);
    },
    async claimDispatch(commit) {
      intent.commit = commit;
      return journal.advance(repo, rollout, id, ["committing", "committed"], "dispatching", {
        ...(commit === undefined ? {} : { commit }),
        at: ctx.clock.now().toISOString(),
      });
    },
    async settle(allDispatched) {
      // Marked before the journal forgets it: the reconcile then never dispatches it again.
      if (allDispatched) await markDispatched(ctx.dedupe, repo, rollout, intent.commit);
      if (allDispatched) await journal.clear(repo, rollout, id);
      else
        await journal.advance(repo, rollout, id, ["dispatching"], "committed", {
          attempts: intent.attempts + 1,
          at: ctx.clock.now().toISOString(),
        });
    },
  };
}

/**
 * A dispatch that follows a change already in Git (a merged bump PR, a person's push): journaled at
 * `committed` with that commit, so a process dying before the dispatch leaves it for the next pass.
 */
export async function beginDispatch(
  ctx: CommandContext,
  change: {
    rollout: string;
    path: string;
    action: string;
    from: number;
    to: number;
    commit: string;
    dispatches: Plan["dispatches"];
  },
): Promise<IntentHandle | undefined> {
  const journal = ctx.journal;
  if (!journal || change.dispatches.length === 0) return undefined;
  const intent: Intent = {
    id: randomUUID(),
    repo: ctx.store.name,
    ...change,
    stage: "committed",
    at: ctx.clock.now().toISOString(),
    attempts: 0,
  };
  await journal.record(intent);
  return handleOf(ctx, journal, intent);
}
