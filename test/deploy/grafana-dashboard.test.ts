import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";
import { freePort, waitFor } from "../helpers/processes.ts";
import { tempRepo } from "../helpers/temp-repo.ts";

/**
 * deploy/grafana/rollout-bot.json against the real server: every metric a panel (or a template
 * variable) queries is one the running server's /metrics exports, and the per-rollout gauges carry
 * the rollout's state after an evaluation pass.
 */
const root = join(import.meta.dirname, "../..");
const dashboard = JSON.parse(readFileSync(join(root, "deploy/grafana/rollout-bot.json"), "utf8")) as {
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
  templating: { list: { definition?: string }[] };
};

/** Metric names in a PromQL expression, by Prometheus' own grammar. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) throw new Error(`not PromQL: ${expr}`);
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        names.push(expr.slice(node.from, node.to));
    },
  });
  return names;
}

/** Every series name the exposition can hold: histograms' _bucket/_sum/_count, summaries' _sum/_count. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${name}${s}`);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(`${name}${s}`);
  }
  return names;
}

let child: ChildProcess | undefined;
let exposition = "";
beforeAll(async () => {
  const dir = tempRepo({ [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY });
  const port = await freePort();
  child = spawn(process.execPath, [join(root, "dist/server.js")], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: "127.0.0.1",
      ROLLOUT_REPO_DIR: dir,
      ROLLOUT_REPO_NAME: "acme/shop",
      EVALUATION_CRON: "* * * * * *", // every second: one pass soon after start
      LOG_LEVEL: "silent",
    },
    stdio: "ignore",
  });
  exposition = await waitFor(
    "an evaluation pass in /metrics",
    async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text.includes("rollout_bot_rollout_percent{") ? text : undefined;
    },
    20_000,
  );
}, 30_000);
afterAll(() => {
  child?.kill("SIGTERM");
});

describe("Grafana dashboard", () => {
  it("queries only metrics the server exports", () => {
    const exported = exportedNames(exposition);
    const queried = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
      ...dashboard.templating.list
        .filter((v) => v.definition)
        .map((v) => ({ where: "variable", expr: /label_values\((\w+)/.exec(v.definition!)?.[1] ?? "" })),
    ];
    expect(queried.length).toBeGreaterThan(15);
    const missing = queried.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    // Every panel but the rows has a query.
    expect(dashboard.panels.filter((p) => p.type !== "row" && !p.targets?.length)).toEqual([]);
  });

  it("the check can fail: a made-up metric is not exported", () => {
    expect(
      metricNames("rate(rollout_bot_no_such_thing_total[5m])").filter(
        (n) => !exportedNames(exposition).has(n),
      ),
    ).toEqual(["rollout_bot_no_such_thing_total"]);
  });

  it("exports per-rollout gauges, build info and standard process metric names", () => {
    const labels = 'repo="acme/shop",rollout="checkout"';
    expect(exposition).toContain(`rollout_bot_rollout_percent{${labels}} 10`);
    expect(exposition).toMatch(new RegExp(`rollout_bot_rollout_health\\{${labels}\\} [012]`));
    expect(exposition).toContain(`rollout_bot_rollout_phase{${labels},phase="baking"} 1`);
    expect(exposition).toContain(`rollout_bot_rollout_phase{${labels},phase="paused"} 0`);
    expect(exposition).toMatch(new RegExp(`rollout_bot_rollout_bake_remaining_seconds\\{${labels}\\} \\d+`));
    expect(exposition).toContain(`rollout_bot_rollout_cooldown_remaining_seconds{${labels}} 0`);
    expect(exposition).toMatch(/^rollout_bot_build_info\{version="\d+\.\d+\.\d+",node_version="[^"]+"\} 1$/m);
    expect(exposition).toMatch(/^rollout_bot_slack_outbox_length 0$/m);
    expect(exposition).toMatch(/^# TYPE rollout_bot_github_rate_limit_remaining gauge$/m);
    expect(exposition).toMatch(/^process_cpu_seconds_total \d/m);
    expect(exposition).toMatch(/^process_resident_memory_bytes \d/m);
    expect(exposition).not.toContain("rollout_bot_process_");
  });
});
