import type { Settings } from "../core/config/settings-schema.ts";
import { errorMessage } from "../core/errors.ts";
import type { FlagTargetReport } from "../core/flags/flag-report.ts";
import { renderBranch } from "../core/messages/bump-pr.ts";
import type { StatusMessage } from "../core/messages/status-message.ts";
import type { AutomaticAction } from "../core/rollout/automation.ts";
import type { HealthStatus } from "../core/rollout/health.ts";
import { healthChangeHeadline, healthSignature, isHealthChange } from "../core/rollout/health-change.ts";
import { automate } from "./automate.ts";
import type { CommandContext } from "./context.ts";
import { type Evaluation, evaluateRollout, healthKey, postQuietly, statusOf } from "./evaluate.ts";
import { type LoadedRepo, type LoadedRollout, loadRepo } from "./load-repo.ts";
import type { MutationOutcome } from "./mutate.ts";
import { reconcileFlags } from "./reconcile-flags.ts";

/**
 * One pass of the evaluation loop over one repository — the same code for the server's scheduler, the
 * Action's `tick` and the demo: judge each active rollout, let the core decide what automation does
 * (core/rollout/automation.ts), carry it out, post a health change at once and status when it is due.
 */

export interface TickDecision {
  rollout: string;
  action: AutomaticAction["action"];
  health: HealthStatus;
  status: StatusMessage;
  outcome?: MutationOutcome;
  /** Flag services brought back in step with the file this pass (what drifted or failed is re-applied). */
  flags?: FlagTargetReport[];
  posted: boolean;
}

export interface TickOptions {
  /** The scheduler's poll: the store may answer from what it read while no push said otherwise. */
  poll?: boolean;
  /** Whether a scheduled status post is due for this rollout now (decisions always announce). */
  statusDue?: (rollout: LoadedRollout, settings: Settings) => boolean | Promise<boolean>;
}

export async function tick(ctx: CommandContext, options: TickOptions = {}): Promise<TickDecision[]> {
  const repo = await loadRepo(ctx.store, { poll: options.poll === true });
  const decisions: TickDecision[] = [];
  for (const invalid of repo.invalid) {
    ctx.logger.warn(
      { file: invalid.path, errors: invalid.diagnostics.length },
      "invalid rollout file skipped",
    );
  }
  for (const rollout of repo.rollouts) {
    if (rollout.file.state?.phase === "complete") continue;
    try {
      decisions.push(await tickOne(ctx, repo, rollout, options));
    } catch (error) {
      // One rollout's failure (its lease busy, GitHub refusing) never holds the others back.
      ctx.logger.error({ rollout: rollout.id, err: errorMessage(error) }, "rollout evaluation failed");
    }
  }
  return decisions;
}

/**
 * Git is the truth for flag services too: every pass re-applies what drifted or failed. Held while an
 * urgent rollback PR is open — the rollback already lowered the flags, and the file on the default
 * branch still says the old percentage until that PR merges.
 */
async function reconcileRolloutFlags(
  ctx: CommandContext,
  rollout: LoadedRollout,
): Promise<FlagTargetReport[] | undefined> {
  if (!ctx.flags || ctx.dryRun || rollout.file.flags.length === 0) return undefined;
  const urgent = renderBranch(rollout.id, true);
  if ((await ctx.store.pulls?.openBumpPulls())?.some((p) => p.headRef === urgent)) return undefined;
  return reconcileFlags({
    repo: ctx.store.name,
    rollout,
    services: ctx.flags.services,
    ledger: ctx.flags.ledger,
    logger: ctx.logger,
  });
}

async function tickOne(
  ctx: CommandContext,
  repo: LoadedRepo,
  rollout: LoadedRollout,
  options: TickOptions,
): Promise<TickDecision> {
  const evaluation = await evaluateRollout(ctx, rollout, repo.settings);
  const { view, health, gate } = evaluation;
  const { decided, outcome } = await automate(ctx, repo, rollout, evaluation);
  const gateOpen = gate.open && view.next !== undefined;
  const status =
    outcome && outcome.kind !== "refused"
      ? outcome.status
      : statusOf(ctx, rollout, evaluation, { event: gateOpen ? "stage_passed" : "status" });
  let posted =
    outcome?.kind === "applied"
      ? outcome.notified
      : outcome?.kind === "proposed" && outcome.news && outcome.notified;
  // A change of state announces itself; a bump PR refreshed while it waits is no news (one post per
  // change, not one per tick): its rollout is told about like any other.
  const quiet = outcome === undefined || outcome.kind === "proposed" || outcome.kind === "refused";
  if (!ctx.dryRun) {
    const change = await healthChange(ctx, rollout, evaluation, posted);
    if (change && !posted && quiet) posted = await postQuietly(ctx, change);
    else if (!posted && quiet && ((await options.statusDue?.(rollout, repo.settings)) ?? true))
      posted = await postQuietly(ctx, status);
  }
  const decision: TickDecision = {
    rollout: rollout.id,
    action: decided.action,
    health: health.status,
    status,
    posted,
  };
  if (outcome) decision.outcome = outcome;
  const flags = outcome?.kind === "applied" ? undefined : await reconcileRolloutFlags(ctx, rollout);
  if (flags) decision.flags = flags;
  return decision;
}

/**
 * A health change is posted at once, not at the next scheduled post: the signature of this evaluation
 * (colour, missing data, firing triggers and alerts) against the last one announced, in the ledger every
 * replica shares (every post records what it told: evaluate.ts postQuietly). Returns the message to
 * post when the health changed and nothing was posted this pass.
 */
async function healthChange(
  ctx: CommandContext,
  rollout: LoadedRollout,
  evaluation: Evaluation,
  posted: boolean,
): Promise<StatusMessage | undefined> {
  const signature = healthSignature(evaluation.health);
  if (signature === undefined || !ctx.healthLedger) return undefined;
  let previous: string | undefined;
  try {
    previous = await ctx.healthLedger.swap(healthKey(ctx.store.name, rollout.id), signature);
  } catch (error) {
    // Without the ledger a change cannot be told from a repeat: the scheduled post still goes out.
    ctx.logger.warn({ rollout: rollout.id, err: errorMessage(error) }, "health ledger unavailable");
    return undefined;
  }
  if (posted || !isHealthChange(previous, signature)) return undefined;
  const headline = healthChangeHeadline({
    rollout: rollout.id,
    previous,
    signature,
    health: evaluation.health,
    autoRollback: rollout.file.automation?.auto_rollback ?? true,
  });
  return statusOf(ctx, rollout, evaluation, { event: "health_changed", headline });
}
