// Alert → rollback dispatch: from an Alertmanager webhook reaching the server to the workflow
// dispatch request, median of N, against the round trip of an alert the server ignores (same run).
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { StaticRegistry } from "../src/adapters/local/static-registry.ts";
import { silentLogger } from "../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../src/adapters/prometheus/simulated-metrics.ts";
import { createApp } from "../src/main/app.ts";
import { localServices } from "../src/main/coordination.ts";
import { MemoryRepoStore } from "../test/doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../test/doubles/recording-notifier.ts";
import { alertmanagerBody } from "../test/helpers/app-harness.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../test/helpers/command-context.ts";

const RUNS = Number(process.env.RUNS ?? 20);
const token = "bench-token-0123456789abcdef";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function once(rolloutLabel: string): Promise<{ total: number; dispatchAt?: number }> {
  const store = new MemoryRepoStore("acme/shop", { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY });
  let dispatchAt: number | undefined;
  const dispatch = store.dispatchWorkflow.bind(store);
  store.dispatchWorkflow = async (d) => {
    dispatchAt = performance.now();
    return dispatch(d);
  };
  const metrics = new SimulatedMetrics({ error_rate: () => 0.001 });
  const app = createApp({
    services: localServices({
      metrics: () => metrics,
      notifier: new RecordingNotifier(),
      clock: { now: () => new Date() },
      logger: silentLogger,
    }),
    registry: new StaticRegistry([store]),
    alertToken: token,
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/alerts/alertmanager`;
  const body = JSON.stringify(
    alertmanagerBody("firing", { rollout: rolloutLabel, repo: "acme/shop", severity: "critical" }),
  );
  const sent = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
  await response.arrayBuffer();
  const total = performance.now() - sent;
  await app.close();
  return dispatchAt === undefined ? { total } : { total, dispatchAt: dispatchAt - sent };
}

await once("checkout"); // warm-up: module loading and JIT are not part of the figure
const ignored: number[] = [];
const toDispatch: number[] = [];
for (let i = 0; i < RUNS; i++) {
  ignored.push((await once("no-such-rollout")).total);
  const run = await once("checkout");
  if (run.dispatchAt === undefined) throw new Error("no dispatch: the rollback did not happen");
  toDispatch.push(run.dispatchAt);
}
const base = median(ignored);
const figure = median(toDispatch);
console.log(`alert → rollback dispatch (in-memory repository, local HTTP), ${RUNS} runs, median`);
console.log(`baseline  webhook round trip, alert ignored            ${base.toFixed(2)} ms`);
console.log(
  `webhook arrival → dispatch request                     ${figure.toFixed(2)} ms  (${(figure / base).toFixed(2)}× baseline)`,
);
