import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderActionValue } from "../../src/core/messages/slack-actions.ts";
import { parseRollbackMetadata } from "../../src/surfaces/slack/rollback-modal.ts";
import {
  LEAD,
  ONCALL,
  ROLLOUT_PATH,
  rolloutFile,
  type SlackHarness,
  STRANGER,
  startSlackHarness,
  textOf,
} from "./slack-harness.ts";

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const value = (verb: "advance" | "pause" | "resume" | "rollback", stage = 10) =>
  renderActionValue({ verb, repo: "acme/shop", rollout: "checkout", stage });

async function click(actionId: string, buttonValue: string, user = LEAD) {
  const response = await h.click(actionId, buttonValue, user);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("");
  await h.idle();
  return h.responses.received.map((r) => r.body);
}

describe("buttons (block_actions)", () => {
  it("Pause pauses the rollout through the command path and says so in the channel", async () => {
    const replies = await click("rollout_pause", value("pause"));
    expect(h.store.commits).toHaveLength(1);
    expect(h.store.files.get(ROLLOUT_PATH)).toMatch(/phase: paused/);
    expect(replies[0]).toMatchObject({ response_type: "in_channel", replace_original: false });
    expect(textOf(replies[0]!.blocks)).toContain(`<@${LEAD}> pause checkout`);
  });

  it("Advance moves to the next stage when the gate is open", async () => {
    await click("rollout_advance", value("advance"));
    expect(h.store.files.get(ROLLOUT_PATH)).toMatch(/percent: 50\b/);
    expect(h.store.dispatches.map((d) => d.workflow)).toEqual(["deploy.yml"]);
  });

  it("refuses a click on a button drawn for another stage, and changes nothing", async () => {
    const replies = await click("rollout_pause", value("pause", 50));
    expect(replies[0]!.response_type).toBe("ephemeral");
    expect(textOf(replies[0]!.blocks)).toContain(
      "refused: this button was for checkout at 50%, but it is now at 10%. Nothing was changed",
    );
    expect(h.store.commits).toHaveLength(0);
    expect(h.store.files.get(ROLLOUT_PATH)).toBe(rolloutFile(10));
  });

  it("enforces exactly what the command enforces: the on-call group may not advance", async () => {
    const replies = await click("rollout_advance", value("advance"), ONCALL);
    expect(replies[0]!.response_type).toBe("ephemeral");
    expect(textOf(replies[0]!.blocks)).toContain(`refused: <@${ONCALL}> may not advance`);
    expect(h.store.commits).toHaveLength(0);
  });

  it("refuses a value that is not one of ours, or that names another verb than its button", async () => {
    await click("rollout_pause", "{not json");
    await click("rollout_pause", value("resume"));
    const replies = h.responses.received.map((r) => r.body);
    expect(replies.map((r) => textOf(r.blocks))).toEqual([
      "⚠️ this button is not recognised: nothing was changed.",
      "⚠️ this button is not recognised: nothing was changed.",
    ]);
    expect(h.store.commits).toHaveLength(0);
  });
});

describe("Roll back: the modal asking for a reason", () => {
  async function openModal(user = LEAD) {
    await click("rollout_rollback", value("rollback"), user);
    const opened = h.fake.calls.filter((c) => c.method === "views.open");
    expect(opened).toHaveLength(1);
    const view = opened[0]!.body.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).toBe("rollout_rollback_modal");
    return view;
  }

  it("opens a modal, and its submission rolls back with the reason, answered in the channel", async () => {
    const view = await openModal();
    // The click itself changes nothing.
    expect(h.store.commits).toHaveLength(0);
    const metadata = parseRollbackMetadata(view.private_metadata);
    expect(metadata).toMatchObject({ repo: "acme/shop", rollout: "checkout", stage: 10 });
    expect(metadata?.responseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/actions\//);

    const response = await h.submit(view.private_metadata, "  p99 above 2s  since 14:02 ");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(""); // closes the modal
    await h.idle();
    expect(h.store.commits).toHaveLength(1);
    expect(h.store.commits[0]!.message).toContain("Rollout-Reason: p99 above 2s since 14:02");
    expect(h.store.dispatches.map((d) => d.workflow)).toEqual(["rollback.yml"]);
    const reply = h.responses.received.at(-1)!;
    expect(reply.path).toBe(new URL(metadata!.responseUrl!).pathname);
    expect(reply.body.response_type).toBe("in_channel");
    expect(textOf(reply.body.blocks)).toContain(`<@${LEAD}> rollback checkout: 10%`);
  });

  it("keeps the modal open with an error when the reason is blank", async () => {
    const view = await openModal();
    const response = await h.submit(view.private_metadata, "   ");
    expect(await response.json()).toEqual({
      response_action: "errors",
      errors: { rollback_reason: "A reason is required: it is recorded in the commit." },
    });
    await h.idle();
    expect(h.store.commits).toHaveLength(0);
  });

  it("refuses the submission of someone not allowed to roll back, and a rollout that has moved on", async () => {
    const view = await openModal(STRANGER);
    await h.submit(view.private_metadata, "looks bad", STRANGER);
    await h.idle();
    expect(textOf(h.responses.received.at(-1)!.body.blocks)).toContain(
      `refused: <@${STRANGER}> may not rollback`,
    );

    // Someone else advanced to 50% while the dialog was open.
    h.store.files.set(ROLLOUT_PATH, rolloutFile(50));
    await h.submit(view.private_metadata, "looks bad", LEAD);
    await h.idle();
    expect(textOf(h.responses.received.at(-1)!.body.blocks)).toContain(
      "this button was for checkout at 10%, but it is now at 50%",
    );
    expect(h.store.commits).toHaveLength(0);
  });

  it("refuses forged metadata without acting", async () => {
    const response = await h.submit('{"v":1,"repo":"acme/shop","rollout":"../../etc","stage":10}', "x");
    expect(await response.json()).toMatchObject({ response_action: "errors" });
    await h.idle();
    expect(h.store.commits).toHaveLength(0);
  });
});
