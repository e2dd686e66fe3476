import type { Settings } from "../core/config/settings-schema.ts";
import { evaluateGate, type Gate } from "../core/rollout/gate.ts";
import { type HealthReport, judgeHealth, metricRequests } from "../core/rollout/health.ts";
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
  options: { approvals?: number; to?: number } = {},
): Promise<Evaluation> {
  const now = ctx.clock.now();
  const view = viewState(rollout.file);
  const requests = metricRequests(rollout.file, view, now);
  const results = new Map<string, MetricResult>();
  const metrics = ctx.metrics(ctx.store.name, rollout.file.metrics?.source ?? settings.metrics?.source);
  await Promise.all(
    requests.map(async (request) => {
      if (!metrics) {
        results.set(request.key, { ok: false, reason: "no metrics source" });
        return;
      }
      try {
        results.set(request.key, await metrics.query(request, now));
      } catch (error) {
        // A failing source makes health yellow with the reason; it never crashes an evaluation.
        const reason = error instanceof Error ? error.message : String(error);
        ctx.logger.warn({ rollout: rollout.id, metric: request.metric, err: reason }, "metric query failed");
        results.set(request.key, { ok: false, reason: `query failed: ${reason}` });
      }
    }),
  );
  const alerts = ctx.alerts?.get(rollout.id) ?? [];
  const health = judgeHealth({ file: rollout.file, view, now, results, alerts });
  const gateInput: Parameters<typeof evaluateGate>[0] = { view, settings, health, now };
  if (options.approvals !== undefined) gateInput.approvals = options.approvals;
  if (options.to !== undefined) gateInput.to = options.to;
  const gate = evaluateGate(gateInput);
  return { view, health, gate, queries: requests.length };
}
