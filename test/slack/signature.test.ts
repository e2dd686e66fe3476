import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderActionValue } from "../../src/core/messages/slack-actions.ts";
import { ROLLOUT_PATH, rolloutFile, type SlackHarness, sign, startSlackHarness } from "./slack-harness.ts";

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const rollbackBody = (responseUrl: string) =>
  new URLSearchParams({
    team_id: "T0TEAM",
    channel_id: "C0DEPLOYS",
    user_id: "U0LEAD01",
    user_name: "lead",
    command: "/rollout",
    text: "rollback checkout to 0 forged",
    response_url: responseUrl,
    trigger_id: "1.trigger",
  }).toString();

/** Nothing was committed, dispatched, posted or answered. */
function expectNothingChanged() {
  expect(h.store.commits).toHaveLength(0);
  expect(h.store.dispatches).toHaveLength(0);
  expect(h.store.files.get(ROLLOUT_PATH)).toBe(rolloutFile(10));
  expect(h.fake.calls).toHaveLength(0);
  expect(h.responses.received).toHaveLength(0);
}

describe("POST /slack/events: Slack's signing secret", () => {
  it("refuses a forged signature with 401 and changes nothing", async () => {
    const body = rollbackBody(h.responses.url("/forged"));
    const now = Math.floor(Date.now() / 1000);
    const response = await h.post(body, sign(body, now, "not-the-signing-secret"));
    expect(response.status).toBe(401);
    await h.idle();
    expectNothingChanged();
  });

  it("refuses a body changed after signing with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = sign(rollbackBody(h.responses.url("/a")), now);
    const response = await h.post(rollbackBody(h.responses.url("/b")), signed);
    expect(response.status).toBe(401);
    await h.idle();
    expectNothingChanged();
  });

  it("refuses a correctly signed request whose timestamp is over 5 minutes old (replay) with 401", async () => {
    const body = rollbackBody(h.responses.url("/replayed"));
    const old = Math.floor(Date.now() / 1000) - 5 * 60 - 30;
    const response = await h.post(body, sign(body, old));
    expect(response.status).toBe(401);
    await h.idle();
    expectNothingChanged();
  });

  it("refuses requests without signature headers, and interactivity payloads alike", async () => {
    const body = rollbackBody(h.responses.url("/unsigned"));
    expect((await h.post(body, {})).status).toBe(401);
    const value = renderActionValue({ verb: "pause", repo: "acme/shop", rollout: "checkout", stage: 10 });
    const payload = `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", actions: [{ action_id: "rollout_pause", value }] }))}`;
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect((await h.post(payload, sign(payload, stale))).status).toBe(401);
    await h.idle();
    expectNothingChanged();
  });

  it("answers only POST", async () => {
    const response = await fetch(`${h.url}/slack/events`);
    expect(response.status).toBe(405);
  });

  it("accepts a request signed within the last 5 minutes", async () => {
    const body = rollbackBody(h.responses.url("/fresh"));
    const recent = Math.floor(Date.now() / 1000) - 4 * 60;
    const response = await h.post(body, sign(body, recent));
    expect(response.status).toBe(200);
    await h.idle();
    expect(h.store.commits).toHaveLength(1);
  });
});

describe("POST /slack/events: replays (issue 11, finding 8)", () => {
  it("a signed request replayed within the 5 minutes acts once", async () => {
    // At 50%, "rollback to previous" could act twice (50% → 10% → 0%): a replay must not.
    h.store.files.set(ROLLOUT_PATH, rolloutFile(50));
    const body = rollbackBody(h.responses.url("/replayed")).replace("to+0", "to+previous");
    const headers = sign(body, Math.floor(Date.now() / 1000));
    const first = await h.post(body, headers);
    await h.idle();
    const again = await h.post(body, headers);
    await h.idle();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(h.store.commits).toHaveLength(1);
    expect(h.store.dispatches).toHaveLength(1);
  });

  it("a request dated 6 minutes in the future is refused with 401 and changes nothing", async () => {
    const body = rollbackBody(h.responses.url("/future"));
    const response = await h.post(body, sign(body, Math.floor(Date.now() / 1000) + 6 * 60));
    expect(response.status).toBe(401);
    await h.idle();
    expectNothingChanged();
  });
});
