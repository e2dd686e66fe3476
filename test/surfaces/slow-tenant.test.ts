import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { MetricRequest, MetricResult } from "../../src/core/rollout/metric-request.ts";
import type { MetricsSource } from "../../src/ports.ts";
import { startApp } from "../helpers/app-harness.ts";
import { waitFor } from "../helpers/processes.ts";

/**
 * Issue 11 item 7: one tenant's slow metrics source must not hold another tenant's rollback. The
 * real app (createApp, its cron loop every second) over two repositories: slow/tenant's source
 * answers after 6 s (a source's timeout may be up to 60 s); acme/shop's error rate turns red while
 * slow/tenant's evaluation is still waiting. acme/shop must be rolled back within ~2 passes, not
 * after slow/tenant's answer (before: node-cron's overlap prevention held every pass behind it).
 */

const rollout = (query: string) => `metrics:
  queries:
    error_rate: { query: "${query}", unit: fraction }
warmup: 0s
stages:
  - percent: 10
    bake: 1h
  - percent: 50
    bake: 2h
  - percent: 100
rollback:
  triggers:
    - { metric: error_rate, above: 5% }
workflows:
  rollback: rollback.yml
state:
  percent: 50
  phase: baking
  started_at: 2026-11-22T08:00:00Z
`;

/** `slow_errors` answers after `holdMs`; `errors` answers at once with whatever `rate` is now. */
class TwoTenantMetrics implements MetricsSource {
  readonly name = "default";
  rate = 0.001;
  slowQueries = 0;
  constructor(private readonly holdMs: number) {}
  async query(request: MetricRequest): Promise<MetricResult> {
    if (request.query.includes("slow_errors")) {
      this.slowQueries++;
      await sleep(this.holdMs);
      return { ok: true, value: 0.001 };
    }
    return { ok: true, value: this.rate };
  }
  async queryRange() {
    return { ok: false as const, reason: "not here" };
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("one slow tenant", () => {
  it("does not hold another tenant's automatic rollback behind its metrics source", async () => {
    const metrics = new TwoTenantMetrics(6_000);
    const app = await startApp({
      files: { ".github/rollouts/checkout.yml": rollout("errors") },
      others: { "slow/tenant": { ".github/rollouts/search.yml": rollout("slow_errors") } },
      metrics,
    });
    close = app.close;
    app.app.start("* * * * * *");
    await waitFor("slow/tenant's source to be asked", async () =>
      metrics.slowQueries > 0 ? true : undefined,
    );
    // A pass is now waiting on slow/tenant. acme/shop's error rate goes red.
    await sleep(200);
    metrics.rate = 0.2;
    const red = Date.now();
    await waitFor(
      "acme/shop rolled back",
      async () =>
        (await app.store.readFile(".github/rollouts/checkout.yml"))?.text.match(/^state:\n {2}percent: 10$/m)
          ? true
          : undefined,
      10_000,
    );
    const delay = Date.now() - red;
    // Two cron passes at most (a second each), never slow/tenant's 6 s.
    expect(delay).toBeLessThan(2_500);
    // slow/tenant was not asked again while its first evaluation was still running.
    expect(metrics.slowQueries).toBe(1);
  }, 20_000);
});
