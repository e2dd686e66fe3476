import uPlot from "uplot";

/**
 * The status page's thin client: draws the charts the server sent (uPlot, bundled at build time),
 * swaps in the live region on each server-sent event, and sends the controls with the CSRF token.
 * Without it the page still reads (summaries in words) and the forms still post.
 */

interface ChartPayload {
  id: string;
  title: string;
  unit: string;
  compare?: string;
  operator: string;
  threshold: number;
  thresholdText: string;
  x: number[];
  series: { label: string; role: string; values: (number | null)[] }[];
}

const plots = new Map<string, uPlot>();

function trim(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

/** The same units as the server's text (format-value.ts), short enough for an axis. */
function formatter(unit: string, compare: string | undefined): (v: number) => string {
  if (compare === "ratio") return (v) => `${trim(v, 2)}×`;
  if (compare === "increase") return (v) => `${v >= 0 ? "+" : ""}${trim(v * 100, 1)}%`;
  if (unit === "fraction") return (v) => `${trim(v * 100, 2)}%`;
  if (unit === "seconds") return (v) => (Math.abs(v) < 1 ? `${trim(v * 1000, 0)}ms` : `${trim(v, 2)}s`);
  if (unit === "milliseconds") return (v) => `${trim(v, 0)}ms`;
  return (v) => trim(v, 3);
}

const COLOURS = { judged: "#0969da", threshold: "#cf222e", metric: "#8250df", baseline: "#57606a" };

function draw(chart: ChartPayload): void {
  const target = document.querySelector<HTMLElement>(`[data-chart="${CSS.escape(chart.id)}"]`);
  if (!target) return;
  plots.get(chart.id)?.destroy();
  target.textContent = "";
  if (chart.x.length === 0) {
    target.classList.add("no-data");
    target.textContent = "No data points in this stage yet.";
    return;
  }
  const judgedFmt = formatter(chart.unit, chart.compare);
  const rawFmt = formatter(chart.unit, undefined);
  const relative = chart.series.some((s) => s.role !== "judged");
  const series: uPlot.Series[] = [{}];
  const data: (number | null)[][] = [chart.x];
  for (const s of chart.series) {
    const raw = s.role !== "judged";
    series.push({
      label: s.label,
      scale: raw ? "raw" : "y",
      stroke: COLOURS[s.role as keyof typeof COLOURS] ?? COLOURS.judged,
      width: raw ? 1.5 : 2,
      ...(raw ? { dash: [6, 4] } : {}),
      value: (_u, v) => (v === null ? "—" : (raw ? rawFmt : judgedFmt)(v)),
    });
    data.push(s.values);
  }
  series.push({
    label: `threshold ${chart.operator} ${chart.thresholdText}`,
    scale: "y",
    stroke: COLOURS.threshold,
    width: 1.5,
    dash: [2, 3],
    points: { show: false },
    value: () => chart.thresholdText,
  });
  data.push(chart.x.map(() => chart.threshold));
  const axes: uPlot.Axis[] = [{}, { scale: "y", size: 64, values: (_u, ticks) => ticks.map(judgedFmt) }];
  if (relative)
    axes.push({
      scale: "raw",
      side: 1,
      size: 64,
      grid: { show: false },
      values: (_u, ticks) => ticks.map(rawFmt),
    });
  const plot = new uPlot(
    {
      width: Math.max(260, target.clientWidth),
      height: 220,
      series,
      axes,
      scales: { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    },
    data as uPlot.AlignedData,
    target,
  );
  plots.set(chart.id, plot);
}

function drawAll(charts: ChartPayload[]): void {
  for (const chart of charts) draw(chart);
}

function resize(): void {
  for (const [id, plot] of plots) {
    const target = document.querySelector<HTMLElement>(`[data-chart="${CSS.escape(id)}"]`);
    if (target) plot.setSize({ width: Math.max(260, target.clientWidth), height: 220 });
  }
}

function summaryText(): string {
  const summary = document.querySelector<HTMLElement>("#live .summary .big");
  return summary?.textContent?.replace(/\s+/g, " ").trim() ?? "";
}

function listen(live: HTMLElement): void {
  const url = live.dataset.events;
  if (!url || typeof EventSource === "undefined") return;
  const source = new EventSource(url);
  source.addEventListener("update", (event) => {
    const frame = JSON.parse((event as MessageEvent<string>).data) as {
      html: string;
      charts: ChartPayload[];
    };
    const before = summaryText();
    for (const plot of plots.values()) plot.destroy();
    plots.clear();
    live.innerHTML = frame.html;
    drawAll(frame.charts);
    live.dataset.updated = String(Date.now());
    const after = summaryText();
    // Say it aloud only when where the rollout stands changed, not on every refresh.
    const status = document.getElementById("live-status");
    if (status && after !== before && after !== "") status.textContent = `Updated: ${after}`;
  });
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

async function send(form: HTMLFormElement): Promise<void> {
  const result = document.getElementById("action-result");
  const fields = Object.fromEntries(new FormData(form)) as Record<string, string>;
  // The percent the page shows now (live updates move it): a click on an outdated page is refused.
  const drawn = document.querySelector<HTMLElement>("#live .summary")?.dataset.percent;
  if (drawn !== undefined) fields.at = drawn;
  const buttons = document.querySelectorAll<HTMLButtonElement>(".controls button");
  for (const b of buttons) b.disabled = true;
  if (result) {
    result.className = "result";
    result.textContent = `Sending ${fields.verb ?? ""}…`;
  }
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "x-csrf-token": csrfToken(),
      },
      body: JSON.stringify(fields),
      credentials: "same-origin",
    });
    const body = (await response.json().catch(() => ({ ok: false, message: `HTTP ${response.status}` }))) as {
      ok: boolean;
      message: string;
    };
    if (result) {
      result.className = `result ${body.ok ? "ok" : "error"}`;
      result.textContent = `${body.ok ? "✓" : "✗"} ${body.message}`;
    }
  } catch {
    if (result) {
      result.className = "result error";
      result.textContent = "✗ The server could not be reached; nothing was sent.";
    }
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

function wireControls(): void {
  const dialog = document.getElementById("confirm-rollback") as HTMLDialogElement | null;
  for (const form of document.querySelectorAll<HTMLFormElement>("form.control")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (form.dataset.verb === "rollback" && dialog && typeof dialog.showModal === "function") {
        dialog.returnValue = "";
        dialog.showModal();
        dialog.addEventListener(
          "close",
          () => {
            if (dialog.returnValue === "confirm") void send(form);
            else form.querySelector<HTMLButtonElement>("button")?.focus();
          },
          { once: true },
        );
        return;
      }
      void send(form);
    });
  }
}

function start(): void {
  const data = document.getElementById("chart-data");
  if (data?.textContent) drawAll(JSON.parse(data.textContent) as ChartPayload[]);
  const live = document.getElementById("live");
  if (live) listen(live);
  wireControls();
  let pending: number | undefined;
  window.addEventListener("resize", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(resize, 100);
  });
  document.documentElement.dataset.ready = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
