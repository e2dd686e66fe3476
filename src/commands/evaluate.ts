import type { Settings } from "../core/config/settings-schema.ts";
import { errorMessage } from "../core/errors.ts";
import { buildStatusMessage, type StatusEvent, type StatusMessage } from "../core/messages/status-message.ts";
import { type Approvals, evaluateGate, type Gate } from "../core/rollout/gate.ts";
import { type HealthReport, judgeHealth, metricRequests } from "../core/rollout/health.ts";
import { healthSignature } from "../core/rollout/health-change.ts";
import type { MetricResult } from "../core/rollout/metric-request.ts";
import { type StageView, viewState } from "../core/rollout/stage-view.ts";
import type { CommandContext } from "./context.ts";
import type { LoadedRollout } from "./load-repo.ts";

/** Reads metrics for one rollout (each distinct query once, in parallel) and lets the core judge. */

export interface Evaluation {
  view: StageView;
  health: HealthReport;
  gate: Gate;
  queries: number;
}

export async function evaluateRollout(
  ctx: Pick<CommandContext, "store" | "metrics" | "clock" | "alerts" | "logger">,
  rollout: LoadedRollout,
  settings: Settings,
  options: { approvals?: Approvals; to?: number } = {},
): Promise<Evaluation> {
  const now = ctx.clock.now();
  const view = viewState(rollout.file);
  const requests = metricRequests(rollout.file, view, now);
  const results = new Map<string, MetricResult>();
  const metrics = ctx.metrics(ctx.store.name, rollout.file.metrics?.source ?? settings.metrics?.source);
  const [alerts] = await Promise.all([
    ctx.alerts(rollout.id),
    ...requests.map(async (request) => {
      if (!metrics) {
        results.set(request.key, { ok: false, reason: "no metrics source" });
        return;
      }
      try {
        results.set(request.key, await metrics.query(request, now));
      } catch (error) {
        // A failing source makes health yellow with the reason; it never crashes an evaluation.
        const reason = errorMessage(error);
        ctx.logger.warn({ rollout: rollout.id, metric: request.metric, err: reason }, "metric query failed");
        results.set(request.key, { ok: false, reason: `query failed: ${reason}` });
      }
    }),
  ]);
  const health = judgeHealth({ file: rollout.file, view, now, results, alerts });
  const gateInput: Parameters<typeof evaluateGate>[0] = {
    view,
    settings,
    health,
    now,
    stages: rollout.file.stages,
  };
  if (options.approvals !== undefined) gateInput.approvals = options.approvals;
  if (options.to !== undefined) gateInput.to = options.to;
  const gate = evaluateGate(gateInput);
  return { view, health, gate, queries: requests.length };
}

/** The status message of a rollout from an evaluation, with an event and headline. */
export function statusOf(
  ctx: Pick<CommandContext, "clock" | "store">,
  rollout: LoadedRollout,
  evaluation: Evaluation,
  message: { event?: StatusEvent; headline?: string | ((view: StageView) => string) } = {},
): StatusMessage {
  const { view, health, gate } = evaluation;
  const headline = typeof message.headline === "function" ? message.headline(view) : message.headline;
  return buildStatusMessage({
    id: rollout.id,
    repo: ctx.store.name,
    path: rollout.path,
    file: rollout.file,
    view,
    health,
    now: ctx.clock.now(),
    gate,
    ...(message.event ? { event: message.event } : {}),
    ...(headline === undefined ? {} : { headline }),
  });
}

/** The status message of a rollout as it stands now: evaluated, then rendered with an event and headline. */
export async function statusNow(
  ctx: Pick<CommandContext, "metrics" | "clock" | "alerts" | "logger" | "store">,
  rollout: LoadedRollout,
  settings: Settings,
  message: Parameters<typeof statusOf>[3] = {},
): Promise<{ evaluation: Evaluation; status: StatusMessage }> {
  const evaluation = await evaluateRollout(ctx, rollout, settings);
  return { evaluation, status: statusOf(ctx, rollout, evaluation, message) };
}

type PostContext = Pick<CommandContext, "notifier" | "logger" | "healthLedger">;

/** Posts a message; a failed post is logged, never fatal to the command that made it. */
export async function postQuietly(ctx: PostContext, status: StatusMessage) {
  try {
    await ctx.notifier.post(status);
  } catch (error) {
    ctx.logger.warn({ rollout: status.rollout, err: errorMessage(error) }, "notification failed");
    return false;
  }
  await rememberHealth(ctx, status);
  return true;
}

/**
 * Records the health a posted message told (the tick posts a change at once, tick.ts), so what was
 * just said — a rollback, an alert notice — is not told again as a change. Best effort.
 */
export async function rememberHealth(ctx: PostContext, status: StatusMessage): Promise<void> {
  const signature = healthSignature(status.health);
  if (signature === undefined || !ctx.healthLedger) return;
  await ctx.healthLedger.swap(healthKey(status.repo, status.rollout), signature).catch((error: unknown) => {
    ctx.logger.warn({ rollout: status.rollout, err: errorMessage(error) }, "health ledger unavailable");
  });
}

export const healthKey = (repo: string, rollout: string) => `${repo}:${rollout}`;
