import type { Settings } from "../core/config/settings-schema.ts";
import { formatDuration } from "../core/duration.ts";
import { errorMessage } from "../core/errors.ts";
import { parseBody, renderBranch } from "../core/messages/bump-pr.ts";
import { type ChartPlan, type ChartSeriesPlan, chartPlan } from "../core/rollout/chart-plan.ts";
import { isFrozen } from "../core/rollout/freeze.ts";
import { evaluateGate, type Gate } from "../core/rollout/gate.ts";
import type { RangeResult } from "../core/rollout/metric-request.ts";
import { stageElapsedSeconds, viewState } from "../core/rollout/stage-view.ts";
import type { PullRequest, RepoStore } from "../ports.ts";
import { gateApprovals } from "./check-gate.ts";
import type { CommandContext } from "./context.ts";
import type { Evaluation } from "./evaluate.ts";
import type { LoadedRollout } from "./load-repo.ts";

/**
 * What the status page shows beyond a status: the stage plan (bake, approvals, criteria), cooldown
 * and freeze windows, each criterion's and trigger's series over the stage from the metrics source's
 * range API (the core picks the series), and the open bump PR with its gate and approvals.
 */

export interface StagePlanRow {
  number: number;
  percent: number;
  bakeSeconds: number;
  bake: string;
  approvals?: number;
  criteria: string[];
}

export interface ChartSeries extends ChartSeriesPlan {
  result: RangeResult;
}

export interface ChartData extends Omit<ChartPlan, "series"> {
  series: ChartSeries[];
}

export interface BumpPull {
  number: number;
  url: string;
  title: string;
  approvals: number;
  requiredApprovals: number;
  gate: Gate;
}

export interface RolloutDetail {
  stages: StagePlanRow[];
  /** Seconds in the current stage, when its start is known. */
  elapsedSeconds?: number;
  rollbackTarget: number | "previous";
  cooldown?: string;
  freeze: { name: string; text: string; active: boolean }[];
  range: { start: string; end: string; stepSeconds: number };
  charts: ChartData[];
  pull?: BumpPull;
}

function freezeText(window: Settings["freeze"][number]): string {
  return "start" in window
    ? `${window.start} → ${window.end}`
    : `weekly ${window.weekly.from} → ${window.weekly.to} (${window.timezone})`;
}

/** The open PR the bot opened for this rollout's next stage: its branch, its marker, in this repository. */
async function bumpPull(store: RepoStore, id: string): Promise<PullRequest | undefined> {
  const pulls = store.pulls;
  if (!pulls) return undefined;
  const [open, bot] = await Promise.all([pulls.openBumpPulls(), pulls.botLogin()]);
  return open.find(
    (p) =>
      p.headRef === renderBranch(id) &&
      parseBody(p.body)?.rollout === id &&
      p.headRepo.toLowerCase() === store.name.toLowerCase() &&
      (bot === undefined || p.author === bot),
  );
}

export async function rolloutDetail(
  ctx: CommandContext,
  rollout: LoadedRollout,
  settings: Settings,
  evaluation: Evaluation,
): Promise<RolloutDetail> {
  const { file } = rollout;
  const now = ctx.clock.now();
  const view = viewState(file);
  const plan = chartPlan(file, view, now);
  const source = ctx.metrics(ctx.store.name, file.metrics?.source ?? settings.metrics?.source);
  const rangeOf = async (series: ChartSeriesPlan): Promise<RangeResult> => {
    if (!source) return { ok: false, reason: "no metrics source" };
    try {
      return await source.queryRange(series.request, plan.range);
    } catch (error) {
      ctx.logger.warn({ rollout: rollout.id, err: errorMessage(error) }, "metric range query failed");
      return { ok: false, reason: "query failed (logged)" };
    }
  };
  const charts = await Promise.all(
    plan.charts.map(async (chart) => ({
      ...chart,
      series: await Promise.all(chart.series.map(async (s) => ({ ...s, result: await rangeOf(s) }))),
    })),
  );
  const detail: RolloutDetail = {
    stages: file.stages.map((stage, i) => {
      const row: StagePlanRow = {
        number: i + 1,
        percent: stage.percent,
        bakeSeconds: stage.bake ?? 0,
        bake: formatDuration(stage.bake ?? 0),
        criteria: stage.criteria.map((c) => `${c.metric}${c.vs ? ` vs ${c.vs}` : ""}`),
      };
      if (stage.approvals !== undefined) row.approvals = stage.approvals;
      return row;
    }),
    rollbackTarget: file.rollback?.target ?? "previous",
    freeze: settings.freeze.map((w) => ({ name: w.name, text: freezeText(w), active: isFrozen(w, now) })),
    range: {
      start: plan.range.start.toISOString(),
      end: plan.range.end.toISOString(),
      stepSeconds: plan.range.stepSeconds,
    },
    charts,
  };
  if (view.startedAt) detail.elapsedSeconds = Math.floor(stageElapsedSeconds(view, now));
  if (file.rollback?.cooldown !== undefined) detail.cooldown = formatDuration(file.rollback.cooldown);
  const pull = await bumpPull(ctx.store, rollout.id).catch((error: unknown) => {
    ctx.logger.warn({ rollout: rollout.id, err: errorMessage(error) }, "cannot read bump pull requests");
    return undefined;
  });
  if (pull) {
    const marker = parseBody(pull.body);
    const approvals = await gateApprovals(
      ctx.store,
      pull,
      rollout,
      settings,
      marker?.to ?? view.next?.stage.percent ?? 0,
    );
    // The gate as the PR's check judges it: this evaluation's health, the approvals counted on the PR.
    const gate = evaluateGate({
      view: evaluation.view,
      settings,
      health: evaluation.health,
      now,
      approvals,
      stages: file.stages,
      ...(marker ? { to: marker.to } : {}),
    });
    detail.pull = {
      number: pull.number,
      url: pull.url,
      title: pull.title,
      approvals: approvals.logins.length,
      requiredApprovals: gate.requiredApprovals ?? 0,
      gate,
    };
  }
  return detail;
}
