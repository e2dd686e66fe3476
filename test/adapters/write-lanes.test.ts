import { describe, expect, it } from "vitest";
import { isWrite, WriteLanes } from "../../src/adapters/github/write-lanes.ts";

/** The order writes get their turn in, and when. */
async function order(lanes: WriteLanes, jobs: { key: string; urgent?: boolean; name: string }[]) {
  const started: { name: string; at: number }[] = [];
  const t0 = performance.now();
  await Promise.all(
    jobs.map((job) => {
      return lanes
        .turn(job.key, job.urgent)
        .then(() => void started.push({ name: job.name, at: performance.now() - t0 }));
    }),
  );
  return started;
}

describe("write lanes", () => {
  it("a rollback's write goes ahead of every queued write of its installation, paced like the others", async () => {
    const lanes = new WriteLanes({ spacingMs: 40 });
    const started = await order(lanes, [
      ...Array.from({ length: 10 }, (_, i) => ({ key: "1", name: `check-${i}` })),
      { key: "1", name: "rollback", urgent: true },
    ]);
    expect(started.map((s) => s.name).slice(0, 3)).toEqual(["check-0", "rollback", "check-1"]);
    // Still one write per spacing: the rollback did not skip the pacing, it jumped the queue.
    const gaps = started.slice(1).map((s, i) => s.at - started[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(35);
  });

  it("paces each installation on its own", async () => {
    const lanes = new WriteLanes({ spacingMs: 200 });
    const started = await order(lanes, [
      { key: "1", name: "a1" },
      { key: "2", name: "b1" },
      { key: "1", name: "a2" },
    ]);
    const at = Object.fromEntries(started.map((s) => [s.name, s.at]));
    expect(at.b1!).toBeLessThan(100);
    expect(at.a2! - at.a1!).toBeGreaterThanOrEqual(190);
  });

  it("counts what the throttling plugin counts as a write", () => {
    expect(isWrite({ method: "GET", url: "/repos/{owner}/{repo}/contents/{path}" })).toBe(false);
    expect(isWrite({ method: "PUT", url: "/repos/{owner}/{repo}/contents/{path}" })).toBe(true);
    expect(isWrite({ method: "POST", url: "/graphql" })).toBe(true);
    expect(isWrite({ method: "POST", url: "http://ghe.example/api/graphql" })).toBe(true);
    expect(isWrite({ method: "POST", url: "/app/installations/{installation_id}/access_tokens" })).toBe(
      false,
    );
  });
});
