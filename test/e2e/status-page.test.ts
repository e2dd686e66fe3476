import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusMetrics } from "../../src/adapters/prometheus/prometheus-metrics.ts";
import { artifactPath, chromiumAvailable, launchChromium } from "../helpers/browser.ts";
import { freePort, requireBinaries, startProcess, waitFor } from "../helpers/processes.ts";
import { startWebApp } from "../helpers/web-harness.ts";

/**
 * The status page end to end: a real headless Chromium signs in through the fake GitHub's OAuth web
 * flow, reads the list and a rollout page served by the real server, whose charts come from a real
 * Prometheus scraping an exporter the test controls, and uses the controls.
 */

const PROMETHEUS = "/usr/bin/prometheus";
const available = requireBinaries([PROMETHEUS]).available && chromiumAvailable();

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

const CHECKOUT = (startedAt: string) => `metrics:
  queries:
    error_rate: { query: "max(checkout_error_ratio)", unit: fraction }
    p99: { query: "max(checkout_p99_seconds)", unit: seconds }
    legacy_p99: { query: "max(legacy_p99_seconds)", unit: seconds }
stages:
  - percent: 10
    bake: 1h
    criteria:
      - { metric: error_rate, below: 1%, for: stage }
      - { metric: p99, vs: legacy_p99, below: 20% }
  - percent: 50
    bake: 1h
  - percent: 100
rollback:
  cooldown: 1d
  triggers:
    - { metric: error_rate, above: 5% }
# The stage began a minute ago (Prometheus has only just started): judged after 30 s, not 5 m.
warmup: 30s
workflows:
  rollback: rollback.yml
state:
  percent: 10
  phase: baking
  started_at: ${startedAt}
`;
const SEARCH = `stages:
  - percent: 50
    bake: 2h
  - percent: 100
state:
  percent: 50
  phase: paused
  reason: waiting for the index rebuild
`;
const INVOICES = `stages:
  - percent: 25
  - percent: 100
state:
  percent: 25
  phase: baking
`;

describe.skipIf(!available)("status page in a real Chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "rollout-page-"));
  const children: ChildProcess[] = [];
  let exporter: Server;
  let harness: Awaited<ReturnType<typeof startWebApp>>;
  let browser: Browser;
  const contexts = new Map<string, BrowserContext>();
  const checkoutUrl = () => `${harness.url}/rollout?repo=acme%2Fshop&id=checkout`;

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(
        "# TYPE checkout_error_ratio gauge\ncheckout_error_ratio 0.002\n# TYPE checkout_p99_seconds gauge\ncheckout_p99_seconds 0.21\n# TYPE legacy_p99_seconds gauge\nlegacy_p99_seconds 0.2\n",
      );
    });
    const exporterPort = await freePort();
    await new Promise<void>((resolve) => exporter.listen(exporterPort, "127.0.0.1", resolve));
    const promPort = await freePort();
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: checkout
    static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }]
`,
    );
    children.push(
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
    const prometheus = new PrometheusMetrics({ url: prometheusUrl });
    await waitFor("Prometheus ready", async () =>
      (await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined,
    );
    // Scrapes over 20 s or more, so the stage's range query (5 s steps) has several points.
    await waitFor(
      "several samples",
      async () => {
        const r = await prometheus.queryRange(
          { metric: "error_rate", query: "max(checkout_error_ratio)" },
          { start: new Date(Date.now() - 60_000), end: new Date(), stepSeconds: 5 },
        );
        return r.ok && r.points.length >= 5 ? r : undefined;
      },
      60_000,
    );
    harness = await startWebApp({
      metrics: prometheus,
      repos: [
        {
          owner: "acme",
          name: "shop",
          files: {
            ".github/rollouts/checkout.yml": CHECKOUT(iso(60_000)),
            ".github/rollouts/search.yml": SEARCH,
          },
          collaborators: { alice: "write", viewer: "read" },
        },
        {
          owner: "globex",
          name: "billing",
          files: { ".github/rollouts/invoices.yml": INVOICES },
          collaborators: { gina: "write" },
        },
      ],
    });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    for (const child of children) child.kill("SIGTERM");
    exporter?.close();
  });

  /** A browser of `login`'s own, signed in through GitHub's sign-in form (the fake's). */
  async function signedIn(login: string): Promise<Page> {
    let context = contexts.get(login);
    if (!context) {
      context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      contexts.set(login, context);
      const page = await context.newPage();
      await page.goto(`${harness.url}/`);
      // Not signed in: sent to GitHub, which asks who you are.
      expect(new URL(page.url()).pathname).toBe("/login/oauth/authorize");
      await page.getByLabel("Username").fill(login);
      await page.getByRole("button", { name: /Authorize/ }).click();
      await page.waitForURL(`${harness.url}/`);
      await page.close();
    }
    return context.newPage();
  }

  it("signs in with GitHub: the session cookie is HttpOnly and SameSite, and no token reaches the page", async () => {
    const page = await signedIn("alice");
    await page.goto(`${harness.url}/`);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "rb_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    const html = await page.content();
    for (const { token } of harness.fake.state.oauth.issued) expect(html).not.toContain(token);
    expect(html).not.toContain(harness.fake.state.oauth.clientSecret);
    expect(await page.locator(".who").textContent()).toContain("@alice");
    await page.close();
  });

  it("lists the signed-in viewer's rollouts, grouped by repository, and none of another tenant's", async () => {
    const page = await signedIn("alice");
    await page.goto(`${harness.url}/`);
    await page.waitForSelector("html[data-ready]");
    const rows = await page
      .locator("tr[data-rollout]")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-rollout")));
    expect(rows).toEqual(["acme/shop:checkout", "acme/shop:search"]);
    expect(await page.locator("h2").allTextContents()).toEqual(["acme/shop"]);
    const text = await page.locator("main").innerText();
    const checkout = await page.locator('tr[data-rollout="acme/shop:checkout"] td').allInnerTexts();
    expect(checkout.map((t) => t.trim())).toEqual([
      "10%",
      "baking",
      "● green",
      expect.stringMatching(/^1m/),
      "to 50%: closed (bake)",
    ]);
    expect(text).toContain("paused");
    expect(await page.content()).not.toMatch(/globex|invoices/);
    await page.screenshot({ path: artifactPath("status-list.png"), fullPage: true });
    // Another tenant's rollout by its address: the same answer as one that does not exist.
    const response = await page.goto(`${harness.url}/rollout?repo=globex%2Fbilling&id=invoices`);
    expect(response?.status()).toBe(404);
    expect(await page.content()).not.toContain("25%");
    // And the other tenant sees theirs only.
    const gina = await signedIn("gina");
    await gina.goto(`${harness.url}/`);
    expect(
      await gina
        .locator("tr[data-rollout]")
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-rollout"))),
    ).toEqual(["globex/billing:invoices"]);
    await Promise.all([page.close(), gina.close()]);
  });

  it("shows a rollout's percent, stage and health, and charts with points from the real Prometheus", async () => {
    const page = await signedIn("alice");
    await page.goto(checkoutUrl());
    await page.waitForSelector("html[data-ready]");
    const summary = await page.locator("#live .summary").innerText();
    expect(summary).toMatch(/10%\s+stage 1 of 3 · baking\s+● green/);
    expect(await page.locator(".stage-now").innerText()).toContain("▶ now: baking");
    // One chart per criterion and trigger; the relative one with its baseline.
    expect(await page.locator("figure figcaption").allTextContents()).toEqual([
      "Criterion: error_rate < 1% over the stage",
      "Criterion: p99 vs legacy_p99 (increase) < +20%",
      "Trigger: rollback if error_rate > 5%",
    ]);
    await page.waitForSelector('[data-chart="criterion-0"] canvas');
    const data = JSON.parse((await page.locator("#chart-data").textContent()) ?? "[]") as {
      x: number[];
      series: { label: string; values: (number | null)[] }[];
    }[];
    expect(data[0]?.x.length).toBeGreaterThan(3);
    expect(data[0]?.series[0]?.values.filter((v) => v === 0.002).length).toBeGreaterThan(3);
    expect(data[1]?.series.map((s) => s.label)).toEqual(["p99 vs legacy_p99", "p99", "legacy_p99"]);
    expect(await page.locator(".chart-summary").first().innerText()).toMatch(
      /^\d+ points; latest 0\.2%.*threshold < 1%$/,
    );
    await page.screenshot({ path: artifactPath("status-rollout.png"), fullPage: true });
    await page.close();
  });

  it("refuses a read-only viewer's control with the reason, and changes nothing", async () => {
    const commits = harness.fake.state.commitsOn("acme/shop", "main").length;
    const page = await signedIn("viewer");
    await page.goto(checkoutUrl());
    await page.waitForSelector("html[data-ready]");
    await page.getByRole("button", { name: "Pause" }).click();
    await expect
      .poll(() => page.locator("#action-result").innerText())
      .toBe("✗ Refused: @viewer may not pause: it needs write access to the repository (has read)");
    expect(harness.fake.state.commitsOn("acme/shop", "main")).toHaveLength(commits);
    await page.close();
  });

  it("refuses a state change without this session's CSRF token, or from another origin", async () => {
    const commits = harness.fake.state.commitsOn("acme/shop", "main").length;
    const page = await signedIn("alice");
    await page.goto(checkoutUrl());
    const token = (await page.locator('meta[name="csrf-token"]').getAttribute("content")) ?? "";
    expect(token.length).toBeGreaterThanOrEqual(32);
    const post = (headers: Record<string, string>, data: Record<string, string>) =>
      page.request.post(`${harness.url}/rollout/action`, {
        headers: { accept: "application/json", ...headers },
        data: { verb: "pause", repo: "acme/shop", id: "checkout", reason: "csrf", ...data },
      });
    for (const attempt of [
      await post({}, {}),
      await post({ "x-csrf-token": "not-the-token".padEnd(43, "x") }, {}),
      await post({ "x-csrf-token": token, origin: "http://evil.example" }, {}),
    ]) {
      expect(attempt.status()).toBe(403);
      expect((await attempt.json()).message).toMatch(/CSRF token/);
    }
    expect(harness.fake.state.commitsOn("acme/shop", "main")).toHaveLength(commits);
    await page.close();
  });

  it("rolls back from the page: one commit, one dispatch, and the page updates live without a reload", async () => {
    const page = await signedIn("alice");
    await page.goto(checkoutUrl());
    await page.waitForSelector("html[data-ready]");
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await page.getByLabel("Rollback reason").fill("p99 looks off in the canary");
    await page.getByRole("button", { name: "Roll back…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
    await expect
      .poll(() => page.locator("#action-result").innerText(), { timeout: 15_000 })
      .toMatch(/^✓ rollback checkout: 10% → 0%.*rollback\.yml dispatched$/);
    // The server pushed the new state: the same document, now at 0% and rolled back.
    await page.waitForSelector('#live .summary[data-percent="0"][data-phase="rolled_back"]', {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(await page.locator("#live .summary").innerText()).toContain("p99 looks off in the canary");
    // A second click on the same page: the rollout has moved, so nothing more happens.
    await page.getByLabel("Rollback reason").fill("again");
    await page.getByRole("button", { name: "Roll back…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
    await expect.poll(() => page.locator("#action-result").innerText()).toMatch(/^✗ Refused/);
    const rollbacks = harness.fake.state
      .commitsOn("acme/shop", "main")
      .filter((c) => c.message.startsWith("rollout(checkout): rollback"));
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]?.message).toContain("Rollout-Actor: alice");
    const dispatches = harness.fake.state.repo("acme/shop").dispatches;
    expect(dispatches.map((d) => [d.workflowId, d.inputs])).toEqual([
      ["rollback.yml", expect.objectContaining({ rollout: "checkout", from: "10", to: "0" })],
    ]);
    await page.screenshot({ path: artifactPath("status-rollout-rolled-back.png"), fullPage: true });
    await page.close();
    harness.fake.assertClean();
  }, 60_000);
});
