import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubApp } from "../helpers/github-harness.ts";
import { waitFor } from "../helpers/processes.ts";
import { alertBody, rolloutFile } from "../helpers/replicas.ts";

/**
 * What reconciling dispatches with Git costs on GitHub, counted at the fake: nothing on an idle pass;
 * for each new version of a rollout file changed within the hour, one history read, plus one runs
 * listing per workflow per pass; nothing again once the verdict is known.
 */

const TOKEN = "cost-alert-token-0123456789";
const IDS = Array.from({ length: 100 }, (_, i) => `r${i}`);
const ROLLED = IDS.slice(0, 20);
const RECONCILE_OPS = ["repos/list-commits", "actions/list-workflow-runs"];

describe("the reconcile's GitHub requests over 100 rollouts", () => {
  let h: Awaited<ReturnType<typeof startGitHubApp>>;
  const files: Record<string, string> = {};
  for (const id of IDS) files[`.github/rollouts/${id}.yml`] = rolloutFile({ channel: "C0COST" });

  beforeAll(async () => {
    h = await startGitHubApp({ files, alertToken: TOKEN });
    await h.app.scheduler.runOnce();
    await h.app.scheduler.runOnce();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const count = async (passes: number) => {
    const before = h.fake.requests.length;
    for (let i = 0; i < passes; i++) await h.app.scheduler.runOnce();
    const ops = h.fake.requests.slice(before).map((r) => r.operationId ?? "?");
    return { all: ops.length, reconcile: ops.filter((o) => RECONCILE_OPS.includes(o)).length };
  };

  it("idle: two passes ask nothing for the reconcile", async () => {
    const idle = await count(2);
    expect(idle.reconcile).toBe(0);
    console.info(
      `idle, 2 passes, 100 rollouts: ${idle.all} requests in all, ${idle.reconcile} by the reconcile`,
    );
  });

  it("after 20 rollbacks (dispatched): one history read each and one runs listing, then nothing", async () => {
    for (const id of ROLLED) {
      const response = await fetch(`${h.url}/alerts/alertmanager`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(alertBody(id, `${id}-fp`)),
      });
      expect(response.ok).toBe(true);
    }
    const dispatched = ROLLED.length;
    await waitFor("every rollback dispatched", async () =>
      h.fake.state.repo("acme/shop").dispatches.length === dispatched ? true : undefined,
    );
    h.fake.state.clock.advance(61_000); // past the lease TTL: no live process may still be dispatching
    const first = await count(1);
    expect(first.reconcile).toBe(ROLLED.length + 1);
    const next = await count(2);
    expect(next.reconcile).toBe(0);
    expect(h.fake.state.repo("acme/shop").dispatches).toHaveLength(dispatched);
    console.info(
      `after 20 rollbacks: first pass ${first.all} requests (${first.reconcile} by the reconcile), next 2 passes ${next.all} (${next.reconcile})`,
    );
  });
});
