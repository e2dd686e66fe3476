import { afterEach, describe, expect, it } from "vitest";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { WeeklyReporter } from "../../src/surfaces/slack/weekly-report.ts";
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
    const reporter = new WeeklyReporter({
      registry: new StaticRegistry([...h.stores.values()]),
      context: h.app.inbox.context,
      clock: h.clock,
      logger: silentLogger,
      defaultChannel: "C0DEPLOYS",
      post: h.slack.post,
    });
    h.clock.time = new Date("2026-11-24T12:00:00Z");
    await h.command("advance checkout");
    await h.idle();
    const calls = h.fake.calls.length;

    h.clock.time = new Date("2026-11-27T07:59:00Z"); // Friday 08:59 in Paris
    expect(await reporter.runOnce()).toBe(0);
    h.clock.time = new Date("2026-11-27T08:00:00Z"); // Friday 09:00 in Paris
    expect(await reporter.runOnce()).toBe(1);
    h.clock.time = new Date("2026-11-27T09:00:00Z");
    expect(await reporter.runOnce()).toBe(0);

    const posted = h.fake.calls.slice(calls).filter((c) => c.method === "chat.postMessage");
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.channel).toBe(REPORTS);
    expect(posted[0]!.body.text).toBe("📅 Weekly rollout report · acme/shop: 🟢 checkout 50%");
    expect(textOf(posted[0]!.body.blocks)).toBe(
      "📅 Weekly rollout report · acme/shop\n🟢 *checkout* · 50% · stage 2/3 · baking · in stage 2d 20h\n    this week: advance 10% → 50%",
    );
  });
});
