import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { PrometheusMetrics } from "../../src/adapters/prometheus/prometheus-metrics.ts";
import { runCommand } from "../../src/commands/run-command.ts";
import { localServices } from "../../src/main/coordination.ts";
import { ALERT_TOKEN, startApp } from "../helpers/app-harness.ts";
import { freePort, requireBinaries, startProcess, waitFor } from "../helpers/processes.ts";

/**
 * End to end with the real peers: an exporter the test controls → a real Prometheus scraping it and
 * evaluating an alert rule → a real Alertmanager → the bot's webhook with the bearer token.
 */

const PROMETHEUS = "/usr/bin/prometheus";
const ALERTMANAGER = "/usr/bin/prometheus-alertmanager";
const { available } = requireBinaries([PROMETHEUS, ALERTMANAGER]);

const PLAN = `metrics:
  queries:
    error_rate: { query: "max(checkout_error_ratio)", unit: fraction }
    p99: { query: "max(checkout_p99_seconds)", unit: seconds }
stages:
  - percent: 10
    bake: 1h
    criteria:
      - { metric: error_rate, below: 1%, for: stage }
      - { metric: p99, below: 0.5 }
  - percent: 100
rollback:
  cooldown: 1d
  triggers:
    - { metric: error_rate, above: 5% }
workflows:
  rollback: rollback.yml
state:
  percent: 10
  phase: baking
  started_at: ${new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")}
`;
const MISSING = PLAN.replace("max(checkout_error_ratio)", "max(no_such_metric)");

describe.skipIf(!available)("real Prometheus and Alertmanager", () => {
  const dir = mkdtempSync(join(tmpdir(), "rollout-e2e-"));
  const gauges = { error: 0.002, p99: 0.21 };
  const children: ChildProcess[] = [];
  let exporter: Server;
  let harness: Awaited<ReturnType<typeof startApp>>;
  let prometheusUrl = "";
  let alertmanagerUrl = "";

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(
        `# TYPE checkout_error_ratio gauge\ncheckout_error_ratio{version="v2"} ${gauges.error}\n# TYPE checkout_p99_seconds gauge\ncheckout_p99_seconds{version="v2"} ${gauges.p99}\n`,
      );
    });
    const exporterPort = await freePort();
    await new Promise<void>((resolve) => exporter.listen(exporterPort, "127.0.0.1", resolve));
    const [promPort, amPort] = [await freePort(), await freePort()];
    prometheusUrl = `http://127.0.0.1:${promPort}`;
    alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    const prometheus = new PrometheusMetrics({ url: prometheusUrl });
    harness = await startApp({
      files: { ".github/rollouts/checkout.yml": PLAN, ".github/rollouts/missing.yml": MISSING },
      metrics: prometheus,
    });
    writeFileSync(
      join(dir, "rules.yml"),
      `groups:
  - name: rollout
    interval: 1s
    rules:
      - alert: CheckoutErrors
        expr: max(checkout_error_ratio) > 0.05
        labels: { severity: critical, rollout: checkout, repo: acme/shop }
        annotations: { summary: "checkout v2 5xx ratio {{ $value }}" }
`,
    );
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${join(dir, "rules.yml")}]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }]
scrape_configs:
  - job_name: checkout
    static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }]
`,
    );
    writeFileSync(
      join(dir, "alertmanager.yml"),
      `route:
  receiver: rollout-bot
  group_by: [alertname, rollout]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: rollout-bot
    webhook_configs:
      - url: ${harness.url}/alerts/alertmanager
        send_resolved: true
        http_config: { authorization: { type: Bearer, credentials: ${ALERT_TOKEN} } }
`,
    );
    children.push(
      startProcess(
        ALERTMANAGER,
        [
          `--config.file=${join(dir, "alertmanager.yml")}`,
          `--storage.path=${join(dir, "am-data")}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          "--cluster.listen-address=",
        ],
        join(dir, "alertmanager.log"),
      ),
      startProcess(
        PROMETHEUS,
        [
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "prom-data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        join(dir, "prometheus.log"),
      ),
    );
    await waitFor("Alertmanager ready", async () =>
      (await fetch(`${alertmanagerUrl}/-/ready`)).ok ? true : undefined,
    );
    await waitFor("Prometheus ready", async () =>
      (await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined,
    );
    await waitFor("first scrape", async () => {
      const r = await prometheus.query(
        { key: "k", metric: "error_rate", query: "max(checkout_error_ratio)" },
        new Date(),
      );
      return r.ok ? r : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGTERM");
    await harness?.close();
    exporter?.close();
  });

  const statusWith = (prometheus: PrometheusMetrics, id: string) =>
    runCommand(
      localServices({
        metrics: () => prometheus,
        notifier: harness.notifier,
        clock: { now: () => new Date() },
        logger: silentLogger,
      }),
      {
        command: { verb: "status", rollout: { id } },
        principal: { kind: "local", user: "test" },
        scope: harness.store,
        dryRun: true,
      },
    );

  const alertCount = async (result: string) => {
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    const match = new RegExp(
      `rollout_bot_alerts_total\\{source="alertmanager",result="${result}"\\} (\\d+)`,
    ).exec(text);
    return Number(match?.[1] ?? 0);
  };

  it("healthy series → green, with every reason from real queries", async () => {
    // The stage window is a subquery: wait until Prometheus has a sample at one of its steps.
    const status = await waitFor("green over the stage", async () => {
      const outcome = await statusWith(new PrometheusMetrics({ url: prometheusUrl }), "checkout");
      const s = outcome.kind === "status" ? outcome.statuses[0] : undefined;
      return s?.health.status === "green" ? s : undefined;
    });
    const prometheus = new PrometheusMetrics({ url: prometheusUrl });
    await statusWith(prometheus, "checkout");
    expect(status?.health.reasons.map((r) => [r.metric, r.valueText, r.pass])).toEqual([
      ["error_rate", "0.2%", true],
      ["p99", "210ms", true],
      ["error_rate", "0.2%", true],
    ]);
    // One query per distinct criterion or trigger: the figure quoted in the closing note.
    expect(prometheus.queries).toBe(3);
  });

  it("missing series → yellow with 'no data', never green", async () => {
    const prometheus = new PrometheusMetrics({ url: prometheusUrl });
    const outcome = await statusWith(prometheus, "missing");
    if (outcome.kind !== "status") throw new Error(outcome.kind);
    expect(outcome.statuses[0]?.health.status).toBe("yellow");
    expect(outcome.statuses[0]?.health.reasons[0]?.text).toMatch(
      /^error_rate < 1% over the stage .*: no data$/,
    );
  });

  it("error spike → alert → exactly one rollback commit and one dispatch, repeats change nothing, resolved is a note", async () => {
    gauges.error = 0.2;
    await waitFor("the rollback", async () => (harness.store.commits.length > 0 ? true : undefined), 45_000);
    expect(harness.store.commits).toHaveLength(1);
    expect(harness.store.commits[0]?.message).toMatch(/^rollout\(checkout\): rollback 10% → 0%/);
    expect(harness.store.commits[0]?.message).toContain(
      "Rollout-Reason: alert CheckoutErrors: checkout v2 5xx ratio 0.2",
    );
    expect(harness.store.dispatches).toHaveLength(1);
    expect(harness.store.dispatches[0]?.inputs).toMatchObject({ rollout: "checkout", from: "10", to: "0" });
    // Alertmanager re-sends on its repeat interval: every re-send is recognised, nothing more happens.
    await waitFor(
      "a repeated notification",
      async () => ((await alertCount("duplicate")) >= 2 ? true : undefined),
      30_000,
    );
    expect(harness.store.commits).toHaveLength(1);
    expect(harness.store.dispatches).toHaveLength(1);
    gauges.error = 0.001;
    await waitFor(
      "the resolved notification",
      async () => ((await alertCount("resolved")) >= 1 ? true : undefined),
      30_000,
    );
    expect(harness.store.commits).toHaveLength(1);
    expect(harness.notifier.messages.at(-1)?.event).toBe("alert_resolved");
  }, 120_000);
});
