import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, waitFor } from "./processes.ts";

/**
 * A real Prometheus over known series: samples are written as OpenMetrics, turned into TSDB blocks by
 * `promtool tsdb create-blocks-from openmetrics`, and served from that data dir. No scraping, no waiting on
 * intervals: queries at fixed `time=` instants see exactly the samples the test wrote.
 */

export const PROMETHEUS = "/usr/bin/prometheus";
export const PROMTOOL = "/usr/bin/promtool";

export interface Series {
  /** e.g. `p99_seconds{version="v2"}` */
  name: string;
  /** Value at a time (Unix seconds); undefined = no sample then. */
  value: (t: number) => number | undefined;
}

export interface BackfilledPrometheus {
  url: string;
  stop: () => void;
}

/** Samples every `step` seconds over [from, to], as one OpenMetrics exposition (families grouped). */
export function openMetrics(series: Series[], from: number, to: number, step: number): string {
  const families = new Map<string, Series[]>();
  for (const s of series) {
    const family = s.name.replace(/\{.*$/, "");
    families.set(family, [...(families.get(family) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [family, members] of families) {
    lines.push(`# TYPE ${family} gauge`);
    for (const s of members) {
      for (let t = from; t <= to; t += step) {
        const v = s.value(t);
        if (v !== undefined) lines.push(`${s.name} ${v} ${t}`);
      }
    }
  }
  return `${lines.join("\n")}\n# EOF\n`;
}

export async function startBackfilledPrometheus(exposition: string): Promise<BackfilledPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "rollout-promql-"));
  const data = join(dir, "data");
  writeFileSync(join(dir, "series.om"), exposition);
  execFileSync(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", join(dir, "series.om"), data], {
    stdio: "ignore",
  });
  writeFileSync(join(dir, "prometheus.yml"), "global: {}\n");
  const port = await freePort();
  const child = startProcess(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Retention counts back from the newest block, but say it: the fixed dates are long past.
      "--storage.tsdb.retention.time=100y",
    ],
    join(dir, "prometheus.log"),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor("Prometheus ready", async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined));
  } catch (error) {
    child.kill("SIGTERM");
    throw new Error(`${error instanceof Error ? error.message : error}; log: ${join(dir, "prometheus.log")}`);
  }
  return { url, stop: () => child.kill("SIGTERM") };
}
