import { afterEach, describe, expect, it } from "vitest";
import { issueAlertToken, verifyAlertToken } from "../../src/commands/alert-token.ts";
import { ALERT_TOKEN, ALERT_TOKEN_KEY, alertmanagerBody, startApp } from "../helpers/app-harness.ts";
import { CHECKOUT_PLAN, CONFIG_PY, ROLLOUT_PATH } from "../helpers/command-context.ts";

/**
 * Issue 11, finding 4: one alert token rolled back any tenant's rollout, and one request of 200
 * alerts caused 1,200 GitHub requests. Now a repository's own token (derived from ALERT_TOKEN_KEY)
 * touches only its own rollouts, a request carries at most 100 alerts, and a rollout's alerts in one
 * request make one decision.
 */

const files = { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY };
const others = { "evil/corp": { [ROLLOUT_PATH]: CHECKOUT_PLAN, "config.py": CONFIG_PY } };
let harness: Awaited<ReturnType<typeof startApp>> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const outcomesOf = async (response: Response) =>
  ((await response.json()) as { outcomes: { result: string; repo?: string }[] }).outcomes;

describe("per-repository alert tokens", () => {
  it("a tenant's token cannot touch another tenant's rollout: the alert is ignored, nothing changes", async () => {
    harness = await startApp({ files, others, series: { error_rate: () => 0.001 } });
    const evil = issueAlertToken(ALERT_TOKEN_KEY, "evil/corp");
    const response = await harness.post(
      "/alerts/alertmanager",
      alertmanagerBody("firing", { rollout: "checkout", repo: "acme/shop", severity: "critical" }),
      bearer(evil),
    );
    expect(response.status).toBe(202);
    expect(await outcomesOf(response)).toMatchObject([{ result: "forbidden", repo: "acme/shop" }]);
    expect(harness.store.commits).toHaveLength(0);
    expect(harness.store.dispatches).toHaveLength(0);
  });

  it("a repository's own token acts on its own rollout, the repo label implied", async () => {
    harness = await startApp({ files, others, series: { error_rate: () => 0.001 } });
    const own = issueAlertToken(ALERT_TOKEN_KEY, "acme/shop");
    const response = await harness.post(
      "/alerts/alertmanager",
      alertmanagerBody("firing", { rollout: "checkout", severity: "critical" }),
      bearer(own),
    );
    expect(await outcomesOf(response)).toMatchObject([{ result: "rolled_back", repo: "acme/shop" }]);
    expect(harness.store.commits).toHaveLength(1);
    expect(harness.others[0]?.commits).toHaveLength(0);
  });

  it("a token of another key, or edited to name another repository, is refused with 401", async () => {
    harness = await startApp({ files, others });
    const foreign = issueAlertToken("another-key-0123456789abcdef-0123456789", "acme/shop");
    const [prefix, , mac] = issueAlertToken(ALERT_TOKEN_KEY, "evil/corp").split(".");
    const forged = `${prefix}.${Buffer.from("acme/shop").toString("base64url")}.${mac}`;
    for (const token of [foreign, forged, "rbt1..", `${ALERT_TOKEN}x`]) {
      const response = await harness.post(
        "/alerts/alertmanager",
        alertmanagerBody("firing", { rollout: "checkout", repo: "acme/shop", severity: "critical" }),
        bearer(token),
      );
      expect(response.status, token).toBe(401);
    }
    expect(harness.store.commits).toHaveLength(0);
  });

  it("the global token still grants every repository (single-tenant installs)", async () => {
    harness = await startApp({ files, others, series: { error_rate: () => 0.001 } });
    const response = await harness.post(
      "/alerts/alertmanager",
      alertmanagerBody("firing", { rollout: "checkout", repo: "evil/corp", severity: "critical" }),
    );
    expect(await outcomesOf(response)).toMatchObject([{ result: "rolled_back", repo: "evil/corp" }]);
  });

  it("issue and verify agree; a key too short is refused", () => {
    const token = issueAlertToken(ALERT_TOKEN_KEY, "Acme/Shop");
    expect(verifyAlertToken(ALERT_TOKEN_KEY, token)).toBe("acme/shop");
    expect(verifyAlertToken(`${ALERT_TOKEN_KEY}!`, token)).toBeUndefined();
    expect(() => issueAlertToken("short", "acme/shop")).toThrow(/at least 32/);
  });
});

describe("alert floods", () => {
  const many = (count: number) => {
    const body = alertmanagerBody("firing", { rollout: "checkout", repo: "acme/shop", severity: "critical" });
    const [one] = body.alerts;
    body.alerts = Array.from({ length: count }, (_, i) => ({
      ...one!,
      fingerprint: `f${i}`,
      labels: { ...one!.labels, alertname: `A${i}` },
    }));
    return body;
  };

  it("a request of more than 100 alerts is refused before any work", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const response = await harness.post("/alerts/alertmanager", many(200));
    expect(response.status).toBe(413);
    expect(harness.store.commits).toHaveLength(0);
    expect(harness.notifier.messages).toHaveLength(0);
  });

  it("50 alerts for one rollout in one request are one decision: one commit, one dispatch, one message", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const outcomes = await outcomesOf(await harness.post("/alerts/alertmanager", many(50)));
    expect(outcomes.filter((o) => o.result === "rolled_back")).toHaveLength(1);
    expect(outcomes.filter((o) => o.result === "grouped")).toHaveLength(49);
    expect(harness.store.commits).toHaveLength(1);
    expect(harness.store.dispatches).toHaveLength(1);
    expect(harness.notifier.messages).toHaveLength(1);
  });
});

describe("alert episodes", () => {
  it("a generic alert without an id: after it resolves, its next firing is a new incident", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const alert = { rollout: "checkout", repo: "acme/shop", severity: "critical", name: "Errors" };
    const first = await outcomesOf(await harness.post("/alerts/generic", { ...alert, status: "firing" }));
    expect(first).toMatchObject([{ result: "rolled_back" }]);
    await harness.post("/alerts/generic", { ...alert, status: "resolved" });
    // The team re-advances (a person's edit of the file), then the same alert fires again.
    harness.store.files.set(ROLLOUT_PATH, CHECKOUT_PLAN);
    const again = await outcomesOf(await harness.post("/alerts/generic", { ...alert, status: "firing" }));
    expect(again).toMatchObject([{ result: "rolled_back" }]);
    expect(harness.store.commits).toHaveLength(2);
  });

  it("without a resolve in between, a re-sent firing is the same incident: acted on once", async () => {
    harness = await startApp({ files, series: { error_rate: () => 0.001 } });
    const alert = {
      rollout: "checkout",
      repo: "acme/shop",
      severity: "critical",
      name: "Errors",
      status: "firing",
    };
    await harness.post("/alerts/generic", alert);
    harness.store.files.set(ROLLOUT_PATH, CHECKOUT_PLAN);
    const again = await outcomesOf(await harness.post("/alerts/generic", alert));
    expect(again).toMatchObject([{ result: "duplicate" }]);
    expect(harness.store.commits).toHaveLength(1);
  });
});
