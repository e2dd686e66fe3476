import { isRolloutError, RolloutError } from "../core/errors.ts";
import { GATE_CHECK } from "../core/messages/bump-pr.ts";
import type { StatusMessage } from "../core/messages/status-message.ts";
import {
  type MutationRequest as CoreRequest,
  type Delivery,
  decideMutation,
} from "../core/rollout/mutation.ts";
import type { Plan } from "../core/rollout/plan.ts";
import type { Transition } from "../core/rollout/transition.ts";
import { type AppliedOutcome, applyPlan } from "./apply-plan.ts";
import type { CommandContext } from "./context.ts";
import { type Evaluation, evaluateRollout } from "./evaluate.ts";
import { findRollout, type LoadedRepo, type LoadedRollout, loadRepo } from "./load-repo.ts";

/**
 * One path for every mutating command: under the rollout's lease, read → the core decides a plan →
 * (dry run: return it) → apply it. On a compare-and-swap conflict it re-reads and re-decides, a
 * bounded number of times.
 */

export interface MutationRequest extends Omit<CoreRequest, "transition"> {
  id: string;
  to?: number | undefined;
  transition: (evaluation: Evaluation) => Transition;
  /** An evaluation just made by the caller (the tick), reused on the first attempt only. */
  evaluation?: Evaluation;
  /** The repository just read by the caller, reused on the first attempt only. */
  repo?: LoadedRepo;
}

export type MutationOutcome =
  | { kind: "refused"; rollout: string; message: string; reasons: string[]; status: StatusMessage }
  | { kind: "planned"; plan: Plan; delivery: Delivery; status: StatusMessage }
  | AppliedOutcome;

const MAX_ATTEMPTS = 3;

async function readSyncFiles(ctx: CommandContext, rollout: LoadedRollout, known?: LoadedRepo["files"]) {
  const files = new Map<string, { text: string; version?: string | undefined }>();
  const paths = [...new Set(rollout.file.sync.map((t) => t.file))];
  // Read along with the rollout (loadRepo's read-ahead) where it could be: no second wave.
  const read = await Promise.all(
    paths.map((path) => (known?.has(path) ? known.get(path) : ctx.store.readFile(path))),
  );
  for (const file of read) if (file) files.set(file.path, { text: file.text, version: file.version });
  return files;
}

async function attempt(
  ctx: CommandContext,
  request: MutationRequest,
  first: boolean,
): Promise<MutationOutcome> {
  const repo = first && request.repo ? request.repo : await loadRepo(ctx.store);
  const rollout = findRollout(repo, request.id);
  const options = request.to === undefined ? {} : { to: request.to };
  const proposing = request.action === "advance" && ctx.store.pulls !== undefined;
  const [evaluation, syncFiles, gateRequired] = await Promise.all([
    first && request.evaluation ? request.evaluation : evaluateRollout(ctx, rollout, repo.settings, options),
    readSyncFiles(ctx, rollout, first ? repo.files : undefined),
    proposing ? ctx.store.pulls?.requiredCheck?.(GATE_CHECK) : undefined,
  ]);
  const decision = decideMutation({
    repo: repo.name,
    rollout,
    version: rollout.version,
    settings: repo.settings,
    evaluation,
    request: {
      action: request.action,
      event: request.event,
      reason: request.reason,
      forced: request.forced ?? false,
      transition: request.transition(evaluation),
    },
    actor: ctx.actor,
    now: ctx.clock.now(),
    pullRequests: ctx.store.pulls !== undefined,
    gateNotRequired: gateRequired === false,
    syncFiles,
  });
  if (decision.kind === "refused") {
    const { status, message, reasons } = decision;
    return { kind: "refused", rollout: rollout.id, message, reasons, status };
  }
  if (decision.kind === "invalid")
    throw new RolloutError("REFUSED", decision.message, { details: decision.details });
  if (ctx.dryRun)
    return { kind: "planned", plan: decision.plan, delivery: decision.delivery, status: decision.status };
  return applyPlan(ctx, decision.plan, decision.delivery, decision.status);
}

export async function mutate(ctx: CommandContext, request: MutationRequest): Promise<MutationOutcome> {
  if (ctx.dryRun) return mutateWithRetries(ctx, request);
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
