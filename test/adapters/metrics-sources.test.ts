import { afterEach, describe, expect, it } from "vitest";
import { metricsResolver, type SourceDefinition } from "../../src/adapters/prometheus/metrics-sources.ts";
import { loadMetricsSources } from "../../src/adapters/prometheus/metrics-sources-config.ts";
import { PrometheusMetrics } from "../../src/adapters/prometheus/prometheus-metrics.ts";
import type { MetricRequest } from "../../src/core/rollout/metric-request.ts";
import { startRecorder } from "../helpers/attacker.ts";

/** The operator's metrics sources, who may use them, and what a tenant learns from one. */

const request: MetricRequest = {
  key: "error_rate",
  metric: "error_rate",
  query: "sum(rate(errors[5m]))",
} as MetricRequest;
const at = new Date("2026-11-22T10:00:00Z");
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const definition = (name: string, url: string, extra: Partial<SourceDefinition> = {}): SourceDefinition => ({
  name,
  url,
  timeoutMs: 2_000,
  maxResponseBytes: 1024 * 1024,
  ...extra,
});

describe("loadMetricsSources", () => {
  const file = (text: string) => () => text;

  it("PROMETHEUS_URL is `default`; the file adds named sources with credentials by env var name", () => {
    const loaded = loadMetricsSources(
      {
        PROMETHEUS_URL: "http://prometheus:9090",
        PROMETHEUS_BEARER_TOKEN: "t0",
        PROMETHEUS_OWNERS: "Acme, globex",
        METRICS_SOURCES: "/etc/rollout-bot/sources.yml",
        EU_TOKEN: "t1",
      },
      file(`sources:
  prod-eu:
    url: https://prom-eu.internal:9090
    bearer_token_env: EU_TOKEN
    timeout: 30s
    owners: [Acme]
`),
    );
    expect(loaded).toEqual({
      ok: true,
      definitions: [
        {
          name: "default",
          url: "http://prometheus:9090",
          bearerToken: "t0",
          basicAuth: undefined,
          timeoutMs: 10_000,
          maxResponseBytes: 1_048_576,
          owners: ["acme", "globex"],
        },
        {
          name: "prod-eu",
          url: "https://prom-eu.internal:9090",
          bearerToken: "t1",
          basicAuth: undefined,
          timeoutMs: 30_000,
          maxResponseBytes: 1_048_576,
          owners: ["acme"],
        },
      ],
    });
  });

  it("names every problem of the operator's file by line, and never a value", () => {
    const loaded = loadMetricsSources(
      { METRICS_SOURCES: "sources.yml", PROMETHEUS_URL: "http://p:9090", SECRET: "s3cr3t" },
      file(`sources:
  a:
    url: https://user:s3cr3t@prom.internal
  b:
    url: https://prom.internal
    timeout: 7d
  c:
    url: https://prom.internal
    bearer_token_env: SECRET
    basic_auth_env: SECRET
  Bad Name:
    url: https://prom.internal
`),
    );
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^sources\.yml:3:\d+ sources\.a\.url: no credentials in the URL/),
      expect.stringMatching(
        /^sources\.yml:6:\d+ sources\.b\.timeout: a metrics timeout is more than 0s and at most 60s/,
      ),
      expect.stringMatching(
        /^sources\.yml:8:\d+ sources\.c: use bearer_token_env or basic_auth_env, not both/,
      ),
      expect.stringMatching(/^sources\.yml:11:\d+ .*source names are lowercase/),
    ]);
    expect(problems.join("\n")).not.toContain("s3cr3t");
    expect(
      loadMetricsSources(
        { METRICS_SOURCES: "s.yml" },
        file("sources:\n  eu:\n    url: https://prom\n    bearer_token_env: UNSET_TOKEN\n"),
      ),
    ).toEqual({
      ok: false,
      problems: ["s.yml: sources.eu.bearer_token_env names UNSET_TOKEN, which is not set"],
    });
    expect(
      loadMetricsSources(
        { METRICS_SOURCES: "s.yml", PROMETHEUS_URL: "http://p" },
        file("sources:\n  default:\n    url: https://q\n"),
      ),
    ).toEqual({
      ok: false,
      problems: ["s.yml: source 'default' is also PROMETHEUS_URL: define it in one place"],
    });
    expect(
      loadMetricsSources({ METRICS_SOURCES: "/nope.yml" }, () => {
        throw Object.assign(new Error("gone"), { code: "ENOENT" });
      }),
    ).toEqual({ ok: false, problems: ["METRICS_SOURCES: cannot read /nope.yml (ENOENT)"] });
  });
});

describe("metricsResolver on the server", () => {
  it("gives a repository only the sources its owner may use; a refused one sends no request", async () => {
    const shared = await startRecorder();
    const acmeOnly = await startRecorder();
    closers.push(shared.close, acmeOnly.close);
    const resolve = metricsResolver(
      [definition("default", shared.url), definition("acme-prod", acmeOnly.url, { owners: ["acme"] })],
      { enforceOwners: true },
    );
    expect(await resolve("acme/shop", "acme-prod")?.query(request, at)).toMatchObject({ ok: true });
    expect(await resolve("ACME/other", "acme-prod")?.query(request, at)).toMatchObject({ ok: true });
    expect(await resolve("globex/shop", "acme-prod")?.query(request, at)).toEqual({
      ok: false,
      reason:
        "no metrics source 'acme-prod' for globex/shop (it may use: default; the operator defines sources)",
    });
    expect(await resolve("globex/shop", "nope")?.query(request, at)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no metrics source 'nope'"),
    });
    expect(await resolve("globex/shop", undefined)?.query(request, at)).toMatchObject({ ok: true });
    // A URL reaching the resolver (validation refuses it first): refused, never fetched.
    const url = await resolve("acme/shop", { type: "prometheus", url: acmeOnly.url })?.query(request, at);
    expect(url).toMatchObject({ ok: false, reason: expect.stringContaining("holds a URL") });
    expect(acmeOnly.received).toHaveLength(2);
    expect(shared.received).toHaveLength(1);
  });

  it("with no default source, a rollout naming none has no source (yellow: no metrics source)", () => {
    const resolve = metricsResolver([], { enforceOwners: true });
    expect(resolve("acme/shop", undefined)).toBeUndefined();
  });
});

describe("what a source's failure tells a tenant", () => {
  const query = (url: string, extra: Partial<ConstructorParameters<typeof PrometheusMetrics>[0]> = {}) =>
    new PrometheusMetrics({ name: "prod-eu", url, timeoutMs: 1_000, ...extra }).query(request, at);

  it("a summary (status class, timeout, unreachable), never the answer's own text", async () => {
    const page = await startRecorder((_req, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<title>Jenkins admin</title> internal-hostname.corp s3cr3t");
    });
    const promError = await startRecorder((_req, res) => {
      res.writeHead(422, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          status: "error",
          errorType: "execution",
          error: 'found duplicate series for the match group {tenant="globex", secret="s3cr3t"}',
        }),
      );
    });
    const slow = await startRecorder(() => new Promise(() => {}));
    const redirect = await startRecorder((_req, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
    });
    const gone = await startRecorder();
    await gone.close();
    closers.push(page.close, promError.close, slow.close, redirect.close);
    const reasons = [
      await query(page.url),
      await query(promError.url),
      await query(slow.url),
      await query(redirect.url),
      await query(gone.url),
    ];
    expect(reasons).toEqual([
      { ok: false, reason: "metrics source prod-eu: answered HTTP 4xx with an unexpected body" },
      {
        ok: false,
        reason: "metrics source prod-eu: refused the query (execution), HTTP 4xx: check its PromQL",
      },
      { ok: false, reason: "metrics source prod-eu: timed out after 1s" },
      { ok: false, reason: "metrics source prod-eu: unreachable" },
      { ok: false, reason: "metrics source prod-eu: unreachable" },
    ]);
    expect(JSON.stringify(reasons)).not.toMatch(/s3cr3t|Jenkins|globex|169\.254/);
  });

  it("a 400 MB answer is cut off after the cap: memory stays flat", async () => {
    const chunk = Buffer.alloc(1024 * 1024, "x");
    let sent = 0;
    const huge = await startRecorder((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        while (sent < 400 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => {
        sent = 400;
      });
      pump();
    });
    closers.push(huge.close);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const result = await query(huge.url, { timeoutMs: 20_000 });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(result).toEqual({ ok: false, reason: "metrics source prod-eu: answer larger than 1048576 bytes" });
    expect((peak - before) / 1024 / 1024).toBeLessThan(100);
  });
});
