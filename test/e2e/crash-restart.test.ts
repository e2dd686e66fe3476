import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/processes.ts";
import { type Cluster, rolloutFile, startCluster } from "../helpers/replicas.ts";

/**
 * One process of the real server (`node dist/server.js`), no Redis, behind the fake GitHub and fake
 * Slack: killed between a rollback's commit and its dispatch, its in-memory journal dies with it.
 * Git still holds the commit: the next process finds it without its workflow run and dispatches it,
 * exactly once, and says so.
 */

describe("a single process (no Redis) killed mid-rollback", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      replicas: 1,
      redis: false,
      files: { ".github/rollouts/halfdone.yml": rolloutFile({ channel: "C0HALFDONE" }) },
    });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it("the restarted process dispatches the rollback once and says so; a second restart does not again", async () => {
    const [victim] = cluster.alive();
    // GitHub refuses dispatches: the process commits, then retries its dispatch with backoff.
    cluster.github.setFaults({ rate: 1, status: 502, only: ["actions/create-workflow-dispatch"] });
    cluster.alert(victim!, "halfdone", "halfdone-fp").catch(() => undefined);
    await waitFor("the commit, and a dispatch attempt", async () =>
      cluster.rollbacks("halfdone").commits === 1 &&
      cluster.github.requests.some((r) => r.faulted && r.operationId === "actions/create-workflow-dispatch")
        ? true
        : undefined,
    );
    victim!.child.kill("SIGKILL");
    await victim!.exited;
    cluster.github.setFaults(undefined);
    expect(cluster.rollbacks("halfdone")).toEqual({ commits: 1, dispatches: 0 });

    const second = await cluster.addReplica();
    await waitFor(
      "the restarted process to dispatch the rollback",
      async () => (cluster.rollbacks("halfdone").dispatches > 0 ? true : undefined),
      20_000,
    );
    await sleep(3_000); // a few more passes (every second here)
    expect(cluster.rollbacks("halfdone")).toEqual({ commits: 1, dispatches: 1 });
    const dispatch = cluster.github.state.repo("acme/shop").dispatches[0];
    expect(dispatch?.inputs).toMatchObject({ rollout: "halfdone", from: "50", to: "10" });
    const said = cluster.slack.calls.filter(
      (c) =>
        c.body.channel === "C0HALFDONE" && String(c.body.text).includes("finished the interrupted rollback"),
    );
    expect(said).toHaveLength(1);

    second.child.kill("SIGKILL");
    await second.exited;
    await cluster.addReplica();
    await sleep(4_000);
    expect(cluster.rollbacks("halfdone")).toEqual({ commits: 1, dispatches: 1 });
    cluster.github.assertClean();
  }, 90_000);
});
