import { afterEach, describe, expect, it } from "vitest";
import { type SlackHarness, startSlackHarness } from "./slack-harness.ts";

/**
 * The server's scheduler with the Slack notifier, driven by an injected clock: `runOnce` is what
 * node-cron calls every minute. Each rollout posts on its own schedule from its file.
 */

const PATH = ".github/rollouts/search.yml";
const ROLLOUT_CHANNEL = "C0SEARCH";

function searchFile(options: {
  percent: number;
  phase?: string;
  schedule: string;
  started?: string;
}): string {
  return `metrics:
  queries:
    error_rate: { query: "sum(rate(errors[5m]))", unit: fraction }
stages:
  - percent: 10
    bake: 1d
    criteria:
      - { metric: error_rate, below: 2%, for: 5m }
  - percent: 50
    bake: 1d
  - percent: 100
    bake: 1d
notify:
  slack_channel: ${ROLLOUT_CHANNEL}
  schedule: "${options.schedule}"
automation:
  auto_advance: false
  auto_rollback: false
state:
  percent: ${options.percent}
  phase: ${options.phase ?? "baking"}
  started_at: ${options.started ?? "2026-11-22T08:00:00Z"}
`;
}

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

async function at(iso: string) {
  h.clock.time = new Date(iso);
  return h.app.scheduler.runOnce();
}

const top = () => h.fake.topLevel(ROLLOUT_CHANNEL);

describe("scheduled status in Slack", () => {
  it("keeps one message per stage, edited in place, with a threaded reply per scheduled update", async () => {
    h = await startSlackHarness({
      repos: { "acme/search": { [PATH]: searchFile({ percent: 10, schedule: "0 * * * *" }) } },
    });
    await at("2026-11-22T10:30:00Z"); // the schedule has not fired since the server started
    expect(h.fake.calls).toHaveLength(0);

    await at("2026-11-22T11:00:00Z");
    await at("2026-11-22T11:30:00Z"); // not due again before 12:00
    await at("2026-11-22T12:00:00Z");
    await at("2026-11-22T13:00:00Z");
    expect(top()).toHaveLength(1);
    const stage10 = top()[0]!;
    expect(stage10.text).toMatch(/^🟢 search at 10% \(baking\)/);
    expect(stage10.edits).toBe(2);
    const replies = h.fake.thread(ROLLOUT_CHANNEL, stage10.ts);
    expect(replies).toHaveLength(2);
    expect(replies[0]!.text).toContain("in stage 4h");
    expect(replies[1]!.text).toContain("in stage 5h");
    expect(h.fake.calls.map((c) => c.method)).toEqual([
      "chat.postMessage",
      "chat.update",
      "chat.postMessage",
      "chat.update",
      "chat.postMessage",
    ]);

    // The next stage (a merged bump PR) gets its own message; the old one is left as it was.
    h.store.files.set(
      PATH,
      searchFile({ percent: 50, schedule: "0 * * * *", started: "2026-11-22T13:10:00Z" }),
    );
    await at("2026-11-22T14:00:00Z");
    await at("2026-11-22T15:00:00Z");
    expect(top()).toHaveLength(2);
    const stage50 = top()[1]!;
    expect(stage50.text).toMatch(/^🟢 search at 50%/);
    expect(stage50.edits).toBe(1);
    expect(h.fake.thread(ROLLOUT_CHANNEL, stage50.ts)).toHaveLength(1);
    expect(h.fake.message(ROLLOUT_CHANNEL, stage10.ts)!.edits).toBe(2);
  });

  it("posts nothing for a completed rollout", async () => {
    h = await startSlackHarness({
      repos: {
        "acme/search": { [PATH]: searchFile({ percent: 100, phase: "complete", schedule: "* * * * *" }) },
      },
    });
    const decisions = await at("2026-11-22T12:00:00Z");
    await at("2026-11-23T12:00:00Z");
    expect(decisions).toEqual([]);
    expect(h.fake.calls).toHaveLength(0);
  });

  it("follows a change of schedule in the file without a restart", async () => {
    h = await startSlackHarness({
      repos: { "acme/search": { [PATH]: searchFile({ percent: 10, schedule: "0 */4 * * *" }) } },
    });
    await at("2026-11-22T11:00:00Z"); // every 4 hours: next at 12:00
    expect(h.fake.calls).toHaveLength(0);

    h.store.files.set(PATH, searchFile({ percent: 10, schedule: "0 * * * *" }));
    await at("2026-11-22T11:00:00Z"); // the same scheduler, re-reading the file: hourly, due now
    expect(top()).toHaveLength(1);

    h.store.files.set(PATH, searchFile({ percent: 10, schedule: "0 9 * * 1" })); // Mondays 09:00 only
    await at("2026-11-22T12:00:00Z");
    await at("2026-11-22T18:00:00Z");
    expect(h.fake.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(1);
    await at("2026-11-23T09:00:00Z"); // Monday
    expect(h.fake.calls.filter((c) => c.method === "chat.update")).toHaveLength(1);
  });
});
