import { afterEach, describe, expect, it } from "vitest";
import { alertmanagerBody, startApp } from "../helpers/app-harness.ts";
import { CHECKOUT_PLAN, ROLLOUT_PATH } from "../helpers/command-context.ts";

/**
 * Issue 11, finding 5: a repository's sync pattern `^x = (a+)+$` against 29 `a`s held the event loop
 * for 77 s, and every other tenant waited. Through the real server: the rollback it is part of fails
 * with the reason, and /healthz keeps answering while it runs.
 */

let harness: Awaited<ReturnType<typeof startApp>> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const HOSTILE_PLAN = CHECKOUT_PLAN.replace(
  '    pattern: "canary_percent = ([0-9.]+)"\n',
  '    pattern: "canary_percent = ([0-9.]+)"\n  - file: config.py\n    pattern: "^x = (a+)+$"\n',
);

describe("a hostile sync pattern", () => {
  it("cannot hold the server: /healthz answers while the rollback that runs it fails with the reason", async () => {
    expect(HOSTILE_PLAN).toContain("(a+)+$");
    harness = await startApp({
      files: {
        [ROLLOUT_PATH]: HOSTILE_PLAN,
        "config.py": `canary_percent = 10.0\nx = ${"a".repeat(29)}!\n`,
      },
      series: { error_rate: () => 0.001 },
    });
    const started = performance.now();
    const alert = harness.post(
      "/alerts/alertmanager",
      alertmanagerBody("firing", { rollout: "checkout", repo: "acme/shop", severity: "critical" }),
    );
    const health: number[] = [];
    for (let i = 0; i < 5; i++) {
      const asked = performance.now();
      const response = await fetch(`${harness.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(200);
      health.push(performance.now() - asked);
    }
    const response = await alert;
    const elapsed = performance.now() - started;
    const body = (await response.json()) as { outcomes: { result: string; detail?: string }[] };
    expect(body.outcomes).toMatchObject([
      { result: "failed", detail: expect.stringContaining("files kept in sync") },
    ]);
    expect(harness.store.commits).toHaveLength(0);
    expect(Math.max(...health)).toBeLessThan(1_000);
    expect(elapsed).toBeLessThan(5_000);
  });
});
