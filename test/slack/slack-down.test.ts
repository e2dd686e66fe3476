import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { startOutboxFlusher } from "../../src/surfaces/slack/outbox-flusher.ts";
import {
  CHANNEL,
  LEAD,
  ROLLOUT_PATH,
  type SlackHarness,
  startSlackHarness,
  textOf,
} from "./slack-harness.ts";

/** Slack failures never block or lose a rollback: it is committed, and the channel catches up. */

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

async function rollbackWhileDown() {
  const response = await h.command("rollback checkout to 0 checkout errors at 12%");
  // The ack is the HTTP answer to Slack's request: it needs no Web API call.
  expect(response.status).toBe(200);
  await h.idle();
  expect(h.store.commits).toHaveLength(1);
  expect(h.store.files.get(ROLLOUT_PATH)).toMatch(/percent: 0\b/);
  expect(h.store.dispatches.map((d) => d.workflow)).toEqual(["rollback.yml"]);
  // The one who typed it still hears back (response_url is not the Web API).
  expect(textOf(h.responses.received[0]!.body.blocks)).toContain(`<@${LEAD}> rollback checkout: 10% → 0%`);
  expect(h.notifier.pending).toBe(1);
}

describe("Slack down during a rollback", () => {
  it("commits and dispatches the rollback, keeps the message, and delivers it after recovery", async () => {
    h = await startSlackHarness();
    await h.fake.down("refused");
    await rollbackWhileDown();
    expect(h.fake.topLevel(CHANNEL)).toHaveLength(0);

    await h.fake.up();
    await h.notifier.flush();
    expect(h.notifier.pending).toBe(0);
    const [message] = h.fake.topLevel(CHANNEL);
    expect(message?.text).toMatch(/^🔴 rollback checkout: 10% → 0% — checkout errors at 12%/);
  });

  it("answering 503s is the same: the server's outbox flusher delivers the red message once Slack is back", async () => {
    h = await startSlackHarness();
    await h.fake.down(503);
    await rollbackWhileDown();
    expect(h.fake.calls.every((c) => c.status === 503)).toBe(true);

    await h.fake.up();
    const stop = startOutboxFlusher(h.notifier, silentLogger, 20);
    try {
      await expect.poll(() => h.fake.topLevel(CHANNEL).length, { timeout: 5000 }).toBe(1);
    } finally {
      stop();
    }
    expect(h.fake.topLevel(CHANNEL)[0]!.text).toMatch(/^🔴 rollback checkout/);
  });
});
