import { afterEach, describe, expect, it } from "vitest";
import {
  ROLLOUT_PATH,
  rolloutFile,
  SETTINGS,
  SETTINGS_PATH,
  type SlackHarness,
  startSlackHarness,
  textOf,
} from "./slack-harness.ts";

const REPORTS = "C0REPORTS";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

describe("the weekly report", () => {
  it("posts one separate message per repository on notify.weekly_report, with the week's moves", async () => {
    h = await startSlackHarness({
      repos: {
        "acme/shop": {
          [SETTINGS_PATH]: `${SETTINGS}notify:\n  weekly_report: "0 9 * * FRI"\n  timezone: Europe/Paris\n`,
          [ROLLOUT_PATH]: rolloutFile(10, `notify:\n  slack_channel: ${REPORTS}\n`),
          ".github/rollouts/done.yml": rolloutFile(100, "", "complete"),
        },
      },
      start: new Date("2026-11-22T10:00:00Z"), // a Sunday
    });
    // The report rides on the evaluation pass: each pass posts the reports that fell due since the last.
    const reports = () =>
      h.fake.calls.filter((c) => c.method === "chat.postMessage" && String(c.body.text).startsWith("📅"));
    const pass = async () => {
      const before = reports().length;
      await h.app.scheduler.runOnce();
      return reports().length - before;
    };
    h.clock.time = new Date("2026-11-24T12:00:00Z");
    await h.command("advance checkout");
    await h.idle();

    h.clock.time = new Date("2026-11-27T07:59:00Z"); // Friday 08:59 in Paris
    expect(await pass()).toBe(0);
    h.clock.time = new Date("2026-11-27T08:00:00Z"); // Friday 09:00 in Paris
    expect(await pass()).toBe(1);
    h.clock.time = new Date("2026-11-27T09:00:00Z");
    expect(await pass()).toBe(0);

    const posted = reports();
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.channel).toBe(REPORTS);
    expect(posted[0]!.body.text).toBe("📅 Weekly rollout report · acme/shop: 🟢 checkout 50%");
    expect(textOf(posted[0]!.body.blocks)).toBe(
      "📅 Weekly rollout report · acme/shop\n🟢 *checkout* · 50% · stage 2/3 · baking · in stage 2d 20h\n    this week: advance 10% → 50%",
    );
  });
});
