import type { Settings } from "../core/config/settings-schema.ts";
import { buildStatusMessage, type StatusMessage } from "../core/messages/status-message.ts";
import type { HealthStatus } from "../core/rollout/health.ts";
import type { CommandContext } from "./context.ts";
import { evaluateRollout } from "./evaluate.ts";
import { type LoadedRollout, loadRepo } from "./load-repo.ts";
import { type MutationOutcome, mutate } from "./mutate.ts";

/**
 * One pass of the evaluation loop — the same code for the server's scheduler, the Action's `tick` and
 * the demo: judge each active rollout, roll back on red, complete after the final bake, advance when
 * the gate is open and auto-advance is on, and post status when it is due.
 */

export interface TickDecision {
  rollout: string;
  action: "none" | "rollback" | "advance" | "complete";
  health: HealthStatus;
  status: StatusMessage;
  outcome?: MutationOutcome;
  posted: boolean;
}

export interface TickOptions {
  /** Whether a scheduled status post is due for this rollout now (decisions always announce). */
  statusDue?: (rollout: LoadedRollout, settings: Settings) => boolean | Promise<boolean>;
}

export async function tick(ctx: CommandContext, options: TickOptions = {}): Promise<TickDecision[]> {
  const repo = await loadRepo(ctx.store);
  const decisions: TickDecision[] = [];
  for (const invalid of repo.invalid) {
    ctx.logger.warn(
      { file: invalid.path, errors: invalid.diagnostics.length },
      "invalid rollout file skipped",
    );
  }
  for (const rollout of repo.rollouts) {
    const phase = rollout.file.state?.phase;
    if (phase === "complete") continue;
    const evaluation = await evaluateRollout(ctx, rollout, repo.settings);
    const { view, health, gate } = evaluation;
    const automation = rollout.file.automation ?? {
      auto_advance: false,
      auto_rollback: true,
      auto_merge: false,
    };
    const now = ctx.clock.now();
    let outcome: MutationOutcome | undefined;
    let action: TickDecision["action"] = "none";
    if (
      health.status === "red" &&
      automation.auto_rollback &&
      view.phase !== "rolled_back" &&
      view.percent > 0
    ) {
      action = "rollback";
      const fired = health.reasons.find((r) => r.status === "red" && r.rollbackTo !== undefined);
      const reason = health.reasons
        .filter((r) => r.status === "red")
        .map((r) => r.text)
        .join("; ");
      outcome = await mutate(ctx, {
        id: rollout.id,
        action: "rollback",
        event: "rolled_back",
        reason: `automatic: ${reason}`,
        evaluation,
        transition: () => ({
          kind: "rollback",
          to: fired?.rollbackTo,
          reason: `automatic: ${reason}`,
          automatic: true,
        }),
      });
    } else if (
      view.next === undefined &&
      view.stage > 0 &&
      gate.checks.every((c) => c.pass || ["stage", "freeze", "approvals"].includes(c.name))
    ) {
      action = "complete";
      outcome = await mutate(ctx, {
        id: rollout.id,
        action: "complete",
        event: "completed",
        evaluation,
        transition: (e) => ({ kind: "complete", gate: e.gate }),
      });
    } else if (gate.open && automation.auto_advance) {
      action = "advance";
      outcome = await mutate(ctx, {
        id: rollout.id,
        action: "advance",
        event: "advanced",
        evaluation,
        transition: (e) => ({ kind: "advance", gate: e.gate }),
      });
    }
    const gateOpen = gate.open && view.next !== undefined;
    const status =
      outcome && outcome.kind !== "refused"
        ? outcome.status
        : buildStatusMessage({
            id: rollout.id,
            repo: repo.name,
            file: rollout.file,
            view,
            health,
            now,
            gate,
            event: gateOpen ? "stage_passed" : "status",
          });
    let posted = (outcome?.kind === "applied" || outcome?.kind === "proposed") && outcome.notified;
    if (!outcome && !ctx.dryRun && ((await options.statusDue?.(rollout, repo.settings)) ?? true)) {
      try {
        await ctx.notifier.post(status);
        posted = true;
      } catch (error) {
        ctx.logger.warn({ rollout: rollout.id, err: String(error) }, "status post failed");
      }
    }
    const decision: TickDecision = { rollout: rollout.id, action, health: health.status, status, posted };
    if (outcome) decision.outcome = outcome;
    decisions.push(decision);
  }
  return decisions;
}
