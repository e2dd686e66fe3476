import type { AddressInfo } from "node:net";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { type Series, SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { type App, createApp } from "../../src/main/app.ts";
import { localServices } from "../../src/main/coordination.ts";
import type { MetricsSource } from "../../src/ports.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";

export const ALERT_TOKEN = "test-token-0123456789abcdef";

/** The real server on a loopback port over in-memory ports: what the alert tests drive over HTTP. */
export const ALERT_TOKEN_KEY = "alert-token-key-for-tests-0123456789abcdef";

export async function startApp(options: {
  files: Record<string, string>;
  series?: Record<string, Series>;
  metrics?: MetricsSource;
  now?: () => Date;
  /** More repositories beside acme/shop (other tenants). */
  others?: Record<string, Record<string, string>>;
}) {
  const now = options.now ?? (() => new Date());
  const store = new MemoryRepoStore("acme/shop", options.files, now);
  const others = Object.entries(options.others ?? {}).map(
    ([name, files]) => new MemoryRepoStore(name, files, now),
  );
  const notifier = new RecordingNotifier();
  const metrics = options.metrics ?? (options.series ? new SimulatedMetrics(options.series) : undefined);
  const services = localServices({ metrics: () => metrics, notifier, clock: { now }, logger: silentLogger });
  const app: App = createApp({
    services,
    registry: new StaticRegistry([store, ...others]),
    alertToken: ALERT_TOKEN,
    alertTokenKey: ALERT_TOKEN_KEY,
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${ALERT_TOKEN}` },
  ) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { app, services, store, others, notifier, url, post, close: () => app.close() };
}

/** An Alertmanager v4 webhook body as Alertmanager sends it. */
export function alertmanagerBody(
  status: "firing" | "resolved",
  labels: Record<string, string>,
  extra: { startsAt?: string; fingerprint?: string; summary?: string } = {},
) {
  return {
    version: "4",
    groupKey: '{}:{alertname="CheckoutErrors"}',
    truncatedAlerts: 0,
    status,
    receiver: "rollout-bot",
    groupLabels: { alertname: labels.alertname ?? "CheckoutErrors" },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: [
      {
        status,
        labels: { alertname: "CheckoutErrors", ...labels },
        annotations: { summary: extra.summary ?? "5xx ratio above 5%" },
        startsAt: extra.startsAt ?? "2026-11-22T10:00:00.000Z",
        endsAt: status === "resolved" ? "2026-11-22T10:20:00.000Z" : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus:9090/graph",
        fingerprint: extra.fingerprint ?? "c0ffee00c0ffee00",
      },
    ],
  };
}
