import { errorMessage } from "../core/errors.ts";
import { type AutomaticAction, decideAutomation } from "../core/rollout/automation.ts";
import type { CommandContext } from "./context.ts";
import type { Evaluation } from "./evaluate.ts";
import type { LoadedRepo, LoadedRollout } from "./load-repo.ts";
import { type MutationOutcome, type MutationRequest, mutate } from "./mutate.ts";

/**
 * The bot's automation for one evaluated rollout: the core decides (core/rollout/automation.ts), this
 * carries it out under the rollout's lease. The tick runs it for every rollout; any other evaluation
 * that finds a rollout red (a `status`) runs its rollback part, so red acts at once wherever it is seen.
 */

/** The mutation an automatic decision asks for; undefined for "none". */
function mutationFor(decided: AutomaticAction): Omit<MutationRequest, "id"> | undefined {
  switch (decided.action) {
    case "rollback": {
      const { to, from, reason } = decided;
      return {
        action: "rollback",
        event: "rolled_back",
        reason,
        // `from`: refused once the rollout has moved, so a verdict re-read after a conflict never steps down twice.
        transition: () => ({ kind: "rollback", to, from, reason, automatic: true }),
      };
    }
    case "pause":
      return {
        action: "pause",
        event: "paused",
        reason: decided.reason,
        transition: () => ({ kind: "pause", reason: decided.reason }),
      };
    case "complete":
      return {
        action: "complete",
        event: "completed",
        transition: (e) => ({ kind: "complete", gate: e.gate }),
      };
    case "advance":
      return { action: "advance", event: "advanced", transition: (e) => ({ kind: "advance", gate: e.gate }) };
    case "none":
      return undefined;
  }
}

export async function automate(
  ctx: CommandContext,
  repo: LoadedRepo,
  rollout: LoadedRollout,
  evaluation: Evaluation,
  only?: AutomaticAction["action"],
): Promise<{ decided: AutomaticAction; outcome?: MutationOutcome }> {
  const decided = decideAutomation({ file: rollout.file, ...evaluation });
  const request = only === undefined || decided.action === only ? mutationFor(decided) : undefined;
  if (!request) return { decided };
  return { decided, outcome: await mutate(ctx, { ...request, id: rollout.id, evaluation, repo }) };
}

/**
 * A red verdict found by a command (`status`, `list`) acts at once when auto-rollback is on: the tick's
 * own rollback, as the bot (`ctx` is the bot's), under the lease. A failure is logged, never the asker's error.
 */
export async function rollBackIfRed(
  ctx: CommandContext,
  repo: LoadedRepo,
  rollout: LoadedRollout,
  evaluation: Evaluation,
): Promise<MutationOutcome | undefined> {
  if (ctx.dryRun || evaluation.health.status !== "red") return undefined;
  try {
    return (await automate(ctx, repo, rollout, evaluation, "rollback")).outcome;
  } catch (error) {
    ctx.logger.error({ rollout: rollout.id, err: errorMessage(error) }, "automatic rollback on red failed");
    return undefined;
  }
}
