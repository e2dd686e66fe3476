import { afterEach, describe, expect, it } from "vitest";
import { ALERT_TOKEN, alertmanagerBody, startApp } from "../helpers/app-harness.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";

const critical = { rollout: "checkout", repo: "acme/shop", severity: "critical" };
const files = { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY };
let harness: Awaited<ReturnType<typeof startApp>> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("alert inbox over HTTP", () => {
  it("refuses a missing or wrong token with 401 and changes nothing", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const none = await harness.post("/alerts/alertmanager", alertmanagerBody("firing", critical), {});
    const wrong = await harness.post("/alerts/alertmanager", alertmanagerBody("firing", critical), {
      authorization: `Bearer ${ALERT_TOKEN}x`,
    });
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(harness.store.commits).toHaveLength(0);
  });

  it("refuses bad bodies with 400 and the reason, oversized ones with 413", async () => {
    harness = await startApp({ files });
    const notJson = await harness.post("/alerts/alertmanager", "{nope");
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: "body is not valid JSON" }]);
    const wrongShape = await harness.post("/alerts/alertmanager", {
      version: "4",
      status: "firing",
      alerts: "x",
    });
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { error: string }).error).toMatch(
      /^invalid alertmanager payload: alerts: /,
    );
    const huge = await harness.post("/alerts/generic", { ...critical, summary: "x".repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    const unknownSource = await harness.post("/alerts/datadog", {});
    expect(unknownSource.status).toBe(404);
    expect(harness.store.commits).toHaveLength(0);
  });

  it("a firing critical alert rolls back once, with the alert as the reason, however often it is sent", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const body = alertmanagerBody("firing", critical);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => harness!.post("/alerts/alertmanager", body)),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const results = await Promise.all(
      responses.map(
        async (r) => ((await r.json()) as { outcomes: { result: string }[] }).outcomes[0]?.result,
      ),
    );
    expect(results.filter((r) => r === "rolled_back")).toHaveLength(1);
    expect(results.filter((r) => r === "duplicate")).toHaveLength(19);
    expect(harness.store.commits).toHaveLength(1);
    expect(harness.store.dispatches).toEqual([
      {
        workflow: "rollback.yml",
        inputs: {
          rollout: "checkout",
          from: "10",
          to: "0",
          reason: "alert CheckoutErrors: 5xx ratio above 5%",
        },
      },
    ]);
    expect(harness.store.commits[0]?.message).toContain("Rollout-Actor: alert:alertmanager/CheckoutErrors\n");
    expect(harness.store.commits[0]?.message).toContain(
      "Rollout-Evidence: FAIL critical alert CheckoutErrors firing: 5xx ratio above 5%",
    );
    // A new episode of the same alert (new startsAt) on an already rolled-back rollout: no second step down.
    const again = await harness.post(
      "/alerts/alertmanager",
      alertmanagerBody("firing", critical, { startsAt: "2026-11-22T11:00:00Z" }),
    );
    expect(((await again.json()) as { outcomes: { result: string }[] }).outcomes[0]?.result).toBe(
      "already_rolled_back",
    );
    expect(harness.store.commits).toHaveLength(1);
  });

  it("resolved is a note, no action", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const response = await harness.post("/alerts/alertmanager", alertmanagerBody("resolved", critical));
    expect(((await response.json()) as { outcomes: { result: string }[] }).outcomes[0]?.result).toBe(
      "resolved",
    );
    expect(harness.store.commits).toHaveLength(0);
    expect(harness.notifier.messages.map((m) => [m.event, m.headline])).toEqual([
      ["alert_resolved", "resolved: alert CheckoutErrors: 5xx ratio above 5% — no action taken"],
    ]);
  });

  it("a warning is a yellow notice; a critical with auto-rollback off pages with the rollback command", async () => {
    const manual = CHECKOUT_PLAN.replace(
      "  auto_advance: true",
      "  auto_advance: true\n  auto_rollback: false",
    );
    harness = await startApp({
      files: { ...files, [ROLLOUT_PATH]: manual },
      series: { error_rate: () => 0.001 },
    });
    await harness.post("/alerts/grafana", {
      status: "firing",
      orgId: 1,
      alerts: [
        {
          status: "firing",
          labels: { alertname: "Slow", rollout: "checkout", repo: "acme/shop", severity: "warning" },
          annotations: {},
          startsAt: "2026-11-22T10:00:00Z",
          fingerprint: "f1",
        },
      ],
    });
    await harness.post("/alerts/generic", { ...critical, name: "PagerDuty", summary: "checkout errors" });
    expect(harness.notifier.messages.map((m) => [m.event, m.colour, m.headline])).toEqual([
      ["alert", "yellow", "warning: alert Slow"],
      [
        "alert",
        "red",
        "🚨 alert PagerDuty: checkout errors — auto-rollback is off: roll back with /rollout rollback checkout",
      ],
    ]);
    expect(harness.store.commits).toHaveLength(0);
  });

  it("an alert for an unknown rollout or repo is accepted (202) and ignored, not an error storm", async () => {
    harness = await startApp({ files });
    const unknown = await harness.post("/alerts/generic", { rollout: "nope", repo: "acme/shop" });
    const otherRepo = await harness.post("/alerts/generic", { rollout: "checkout", repo: "acme/other" });
    const hostile = await harness.post("/alerts/generic", { rollout: "../../etc/passwd", repo: "acme/shop" });
    for (const r of [unknown, otherRepo, hostile]) {
      expect(r.status).toBe(202);
      expect(((await r.json()) as { outcomes: { result: string }[] }).outcomes[0]?.result).toBe(
        "unknown_rollout",
      );
    }
    expect(harness.store.commits).toHaveLength(0);
  });

  it("serves /healthz and /metrics with alert counts", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    await harness.post("/alerts/generic", { rollout: "nope", repo: "acme/shop" });
    expect(await (await fetch(`${harness.url}/healthz`)).json()).toEqual({ status: "ok" });
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toContain('rollout_bot_alerts_total{source="generic",result="unknown_rollout"} 1');
  });
});
