import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/processes.ts";
import { redisAvailable } from "../helpers/redis.ts";
import { type Cluster, FULL, rolloutFile, startCluster } from "../helpers/replicas.ts";

/**
 * Three replicas of the real server (`node dist/server.js`) on one real Redis, behind the same fake
 * GitHub and fake Slack: duplicated alerts act once, a scheduled status posts once, a replica killed
 * mid-rollback is taken over after the lease TTL (1.5 s here), faults at GitHub are survived.
 */

const available = redisAvailable();
const ALERTED = ["pay", "cart", "search"];
const TICKED = ["t1", "t2", "t3"];
const KILLED = ["killed", "halfdone", "drained"];
// Three rollouts per fault kind: enough of a rollback's own requests that 30% of them fail.
const FAULTED = ["f502a", "f502b", "f502c", "f403a", "f403b", "f403c"];

describe.skipIf(!available)("three replicas on one Redis", () => {
  let cluster: Cluster;
  const files: Record<string, string> = {};
  for (const id of [...ALERTED, ...KILLED, ...FAULTED])
    files[`.github/rollouts/${id}.yml`] = rolloutFile({ channel: `C0${id.toUpperCase()}` });
  for (const id of TICKED)
    files[`.github/rollouts/${id}.yml`] = rolloutFile({ channel: `C0${id.toUpperCase()}` });

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 3, files });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it("50 duplicated alerts spread across the replicas: one rollback commit and one dispatch per rollout", async () => {
    const sends: Promise<Response>[] = [];
    for (let i = 0; i < 50; i++) {
      const rollout = ALERTED[i % ALERTED.length]!;
      // Two alert episodes per rollout (two fingerprints), each re-sent many times.
      const fingerprint = `${rollout}-${i % 2}`;
      sends.push(cluster.alert(cluster.replicas[i % 3]!, rollout, fingerprint));
    }
    const responses = await Promise.all(sends);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as {
      outcomes: { result: string; rollout: string }[];
    }[];
    const outcomes = bodies.flatMap((b) => b.outcomes);
    const allowed = ["rolled_back", "duplicate", "already_rolled_back"];
    expect(outcomes.filter((o) => !allowed.includes(o.result))).toEqual([]);
    await sleep(2_000); // a late duplicate or a recovery would show by now
    for (const id of ALERTED) {
      expect(cluster.rollbacks(id), id).toEqual({ commits: 1, dispatches: 1 });
      // The alert's own answer, or an evaluation pass that saw the alert in the shared alert book
      // first: the one commit says which.
      const answered = outcomes.filter((o) => o.rollout === id && o.result === "rolled_back").length;
      const actor = cluster.github.state
        .commitsOn(FULL, "main")
        .find((c) => c.message.includes(`Rollout: ${id}\n`) && c.message.includes("Rollout-Action: rollback"))
        ?.message.match(/^Rollout-Actor: (.*)$/m)?.[1];
      expect({ answered, actor }, id).toEqual(
        answered === 1
          ? { answered, actor: "alert:alertmanager/CheckoutErrors" }
          : { answered: 0, actor: "rollout-bot" },
      );
    }
    cluster.github.assertClean();
    // Probot's throttling queues are shared through the same Redis (Bottleneck's `b_…` keys).
    expect((await cluster.redis!.client.keys("b_octokit-*")).length).toBeGreaterThan(0);
  }, 90_000);

  it("a scheduled tick on every replica: each scheduled status posts exactly once, each slot is evaluated once", async () => {
    // A daily schedule firing 3 s from now (UTC), pushed while the replicas run.
    const at = new Date(Date.now() + 3_000);
    const schedule = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    const scheduled: Record<string, string> = {};
    for (const id of TICKED)
      scheduled[`.github/rollouts/${id}.yml`] = rolloutFile({ channel: `C0${id.toUpperCase()}`, schedule });
    cluster.github.state.push(FULL, { branch: "main", files: scheduled, message: "status schedule" });
    const before = await cluster.evaluations();
    const started = Date.now();
    await sleep(at.getTime() - Date.now() + 4_000);
    // One decision per rollout per pass.
    const passes = ((await cluster.evaluations()) - before) / Object.keys(files).length;
    const seconds = (Date.now() - started) / 1000;
    for (const id of TICKED) {
      const posts = cluster.slack.calls.filter(
        (c) => c.method === "chat.postMessage" && c.body.channel === `C0${id.toUpperCase()}`,
      );
      expect(posts, id).toHaveLength(1);
    }
    // Every second one replica evaluates: about `seconds` passes in all, not three times as many.
    expect(passes).toBeGreaterThan(seconds / 3);
    expect(passes).toBeLessThan(seconds + 2);
  }, 30_000);

  it("faults at GitHub (30% 502s, then secondary rate limits with retry-after): every rollback completes exactly once", async () => {
    let sent = 0;
    // The requests of a rollback that change something or decide it (reads are shared with the
    // evaluation loop, which every replica runs each second here, and would only slow the test down).
    const only = [
      "repos/create-or-update-file-contents",
      "actions/create-workflow-dispatch",
      "actions/list-workflow-runs",
      "pulls/list",
      "repos/list-commits",
    ];
    for (const [fault, ids] of [
      [{ rate: 0.3, status: 502 as const, only }, FAULTED.slice(0, 3)],
      [{ rate: 0.3, status: 403 as const, retryAfter: 1, only }, FAULTED.slice(3)],
    ] as const) {
      const faultedBefore = cluster.github.requests.filter((r) => r.faulted).length;
      cluster.github.setFaults({ ...fault, only: [...fault.only] });
      try {
        // Alertmanager re-sends a firing alert until it is handled (every 3 s here, to each replica in turn).
        await waitFor(
          `${ids.join(", ")} rolled back`,
          async () => {
            const pending = ids.filter((id) => cluster.rollbacks(id).dispatches === 0);
            if (pending.length === 0) return true;
            const alive = cluster.alive();
            await Promise.all(
              pending.map((id) => cluster.alert(alive[sent++ % alive.length]!, id, `${id}-fp`)),
            );
            await sleep(3_000);
            return undefined;
          },
          60_000,
        );
      } finally {
        cluster.github.setFaults(undefined);
      }
      // The phase really met its faults, on the rollbacks' own requests.
      expect(
        cluster.github.requests.filter((r) => r.faulted).length - faultedBefore,
        ids.join(", "),
      ).toBeGreaterThan(0);
    }
    await sleep(1_500);
    for (const id of FAULTED) expect(cluster.rollbacks(id), id).toEqual({ commits: 1, dispatches: 1 });
  }, 150_000);

  it("SIGTERM during a rollback: the rollback completes, then the replica exits 0", async () => {
    const replica = cluster.alive()[0]!;
    cluster.github.setLatency(150);
    const response = cluster.alert(replica, "drained", "drained-fp");
    await waitFor("the rollback's commit", async () =>
      cluster.rollbacks("drained").commits > 0 ? true : undefined,
    );
    replica.child.kill("SIGTERM");
    const body = (await (await response).json()) as { outcomes: { result: string }[] };
    cluster.github.setLatency(0);
    expect(body.outcomes.map((o) => o.result)).toEqual(["rolled_back"]);
    expect(await replica.exited).toBe(0);
    expect(cluster.rollbacks("drained")).toEqual({ commits: 1, dispatches: 1 });
    await cluster.addReplica();
  }, 60_000);

  it("a replica killed (SIGKILL) while holding the lease: another takes over after the TTL, the rollback happens once", async () => {
    const [victim, survivor] = cluster.alive();
    cluster.github.setLatency(250);
    cluster.alert(victim!, "killed", "killed-fp").catch(() => undefined);
    await waitFor("the victim to hold the rollout's lease", async () =>
      (await cluster.redis!.client.exists(`rollout-bot:lock:rollout:${FULL}:killed`)) === 1
        ? true
        : undefined,
    );
    victim!.child.kill("SIGKILL");
    await victim!.exited;
    cluster.github.setLatency(0);
    // Alertmanager repeats the alert; the survivor acts once the dead replica's claim and lease lapse.
    await waitFor(
      "the survivor to finish the rollback",
      async () => {
        if (cluster.rollbacks("killed").dispatches > 0) return true;
        await cluster.alert(survivor!, "killed", "killed-fp");
        return cluster.rollbacks("killed").dispatches > 0 ? true : undefined;
      },
      30_000,
    );
    await sleep(2_000);
    expect(cluster.rollbacks("killed")).toEqual({ commits: 1, dispatches: 1 });
    await cluster.addReplica();
  }, 60_000);

  it("a replica killed after its commit and before its dispatch: the next evaluation elsewhere dispatches once and says so", async () => {
    const [victim] = cluster.alive();
    // GitHub refuses dispatches for now: the victim commits, then retries its dispatch with backoff.
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
    // The victim died during a write: the survivors' writes must not wait for it (per-replica write
    // queues; a Redis-shared one would block them until the dead job expires, 60 s).
    await waitFor(
      "another replica to finish the rollback",
      async () => (cluster.rollbacks("halfdone").dispatches > 0 ? true : undefined),
      20_000,
    );
    await sleep(2_000);
    expect(cluster.rollbacks("halfdone")).toEqual({ commits: 1, dispatches: 1 });
    const said = cluster.slack.calls.filter(
      (c) =>
        c.body.channel === "C0HALFDONE" && String(c.body.text).includes("finished the interrupted rollback"),
    );
    expect(said.length).toBeGreaterThan(0);
  }, 90_000);
});
