import type { ChartData, RolloutDetail } from "../../commands/rollout-detail.ts";
import { formatValue } from "../../core/messages/format-value.ts";
import { type Html, html } from "./html.ts";

/**
 * Charts: the server aligns each chart's series on one time axis and summarises them in words (for
 * screen readers and without JavaScript); the client only draws them with uPlot.
 */

export interface ChartPayload {
  id: string;
  title: string;
  unit: string;
  compare?: string | undefined;
  operator: string;
  threshold: number;
  thresholdText: string;
  /** Unix seconds. */
  x: number[];
  series: { label: string; role: string; values: (number | null)[] }[];
}

export function chartPayload(chart: ChartData): ChartPayload {
  const times = new Set<number>();
  for (const s of chart.series) if (s.result.ok) for (const [t] of s.result.points) times.add(t);
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  return {
    id: chart.id,
    title: chart.title,
    unit: chart.unit,
    compare: chart.compare,
    operator: chart.operator,
    threshold: chart.threshold,
    thresholdText: chart.thresholdText,
    x,
    series: chart.series.map((s) => {
      const values: (number | null)[] = x.map(() => null);
      if (s.result.ok) for (const [t, v] of s.result.points) values[index.get(t) ?? 0] = v;
      return { label: s.label, role: s.role, values };
    }),
  };
}

function summary(chart: ChartData): string {
  const judged = chart.series.find((s) => s.role === "judged");
  if (!judged) return "no series";
  if (!judged.result.ok) return `no data: ${judged.result.reason}`;
  const values = judged.result.points.map(([, v]) => v);
  if (values.length === 0) return "no data";
  const fmt = (v: number) => formatValue(v, chart.unit, chart.compare);
  const latest = values[values.length - 1] ?? Number.NaN;
  return `${values.length} points; latest ${fmt(latest)}, lowest ${fmt(Math.min(...values))}, highest ${fmt(Math.max(...values))}; threshold ${chart.operator} ${chart.thresholdText}`;
}

export function renderCharts(detail: RolloutDetail): Html {
  if (detail.charts.length === 0)
    return html`<p class="muted">Nothing to chart: no criteria or triggers at this stage.</p>`;
  return html`<div class="charts">${detail.charts.map((chart) => {
    const text = summary(chart);
    const problems = chart.series.filter((s) => !s.result.ok);
    return html`<figure class="chart-figure" aria-labelledby="${chart.id}-title">
      <figcaption id="${chart.id}-title"><strong>${chart.kind === "trigger" ? "Trigger" : "Criterion"}:</strong> ${chart.title}</figcaption>
      <div class="chart" data-chart="${chart.id}" role="img" aria-label="${chart.title}: ${text}"></div>
      <p class="chart-summary">${text}</p>
      ${problems.map((s) => html`<p class="muted">${s.label}: ${s.result.ok ? "" : s.result.reason}</p>`)}
    </figure>`;
  })}</div>`;
}
