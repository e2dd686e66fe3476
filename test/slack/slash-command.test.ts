import { afterEach, describe, expect, it } from "vitest";
import { parseActionValue } from "../../src/core/messages/slack-actions.ts";
import {
  LEAD,
  ONCALL,
  ROLLOUT_PATH,
  rolloutFile,
  SETTINGS,
  SETTINGS_PATH,
  type SlackHarness,
  STRANGER,
  startSlackHarness,
  textOf,
} from "./slack-harness.ts";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

/** The ack (the HTTP response), then the one reply posted to the response_url. */
async function run(text: string, user = LEAD) {
  const response = await h.command(text, user);
  expect(response.status).toBe(200);
  const ack = (await response.text()) || "{}";
  await h.idle();
  return {
    ack: JSON.parse(ack) as Record<string, unknown>,
    replies: h.responses.received.map((r) => r.body),
  };
}

describe("/rollout status", () => {
  it("acks at once with an ephemeral 'working…', then answers through response_url with Block Kit", async () => {
    h = await startSlackHarness();
    const { ack, replies } = await run("status checkout");
    expect(ack).toMatchObject({ response_type: "ephemeral" });
    expect(String(ack.text)).toContain("working on `/rollout status checkout`");
    expect(replies).toHaveLength(1);
    const reply = replies[0]!;
    expect(reply).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(reply.text).toMatch(/^🟢 checkout at 10%/);
    const blocks = reply.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[];
    expect(blocks[0]).toMatchObject({ type: "header", text: { text: "🟢 checkout · 10%" } });
    expect(textOf(blocks)).toContain("*error_rate*");
    const buttons = blocks.find((b) => b.type === "actions")?.elements ?? [];
    expect(buttons.map((b) => b.action_id)).toEqual(["rollout_advance", "rollout_rollback", "rollout_pause"]);
    expect(parseActionValue(buttons[0]!.value!)).toEqual({
      verb: "advance",
      repo: "acme/shop",
      rollout: "checkout",
      stage: 10,
    });
    // Reading changes nothing and needs no Web API call.
    expect(h.store.commits).toHaveLength(0);
    expect(h.fake.calls).toHaveLength(0);
  });

  it("shows every rollout of every served repository without an id, and lists them one per line", async () => {
    h = await startSlackHarness({
      repos: {
        "acme/shop": { [ROLLOUT_PATH]: rolloutFile(10) },
        "acme/web": { ".github/rollouts/search.yml": rolloutFile(50) },
      },
    });
    const status = await run("status");
    expect(String(status.replies[0]!.text)).toBe("2 rollouts: 🟢 checkout, 🟢 search");
    const list = await run("list");
    const lines = textOf(list.replies[1]!.blocks).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^🟢 \*checkout\* · acme\/shop .*10%.* baking$/);
    expect(lines[1]).toMatch(/^🟢 \*search\* · acme\/web .*50%/);
  });

  it("answers help and bad input in the ack itself, ephemeral, with no reply to send later", async () => {
    h = await startSlackHarness();
    const help = await run("help rollback");
    expect(help.ack.response_type).toBe("ephemeral");
    expect(textOf(help.ack.blocks)).toContain("rollback &lt;rollout&gt;");
    const bad = await run("advance checkout to 250%");
    expect(bad.ack.response_type).toBe("ephemeral");
    expect(textOf(bad.ack.blocks)).toContain("usage: /rollout advance &lt;rollout&gt; [to &lt;N&gt;%]");
    expect(h.responses.received).toHaveLength(0);
  });
});

describe("/rollout rollback", () => {
  it("commits the rollback and dispatches its workflow through the store, answered in the channel", async () => {
    h = await startSlackHarness();
    const { replies } = await run("rollback checkout to 0 error rate &gt; 5% &amp; climbing");
    expect(h.store.commits).toHaveLength(1);
    const commit = h.store.commits[0]!;
    // Slack's HTML escaping is undone before parsing: the reason is recorded as typed.
    expect(commit.message).toContain("Rollout-Reason: error rate > 5% & climbing");
    expect(commit.message).toContain(`Rollout-Actor: slack:${LEAD.toLowerCase()} (${LEAD})`);
    expect(h.store.files.get(ROLLOUT_PATH)).toMatch(/percent: 0\b/);
    expect(h.store.dispatches).toEqual([
      expect.objectContaining({
        workflow: "rollback.yml",
        inputs: expect.objectContaining({ from: "10", to: "0" }),
      }),
    ]);
    const reply = replies[0]!;
    expect(reply.response_type).toBe("in_channel");
    expect(textOf(reply.blocks)).toContain(`<@${LEAD}> rollback checkout: 10% → 0%`);
    expect(textOf(reply.blocks)).toContain("dispatched `rollback.yml`");
    // And the channel's status message, through the notifier: red, one new message.
    const posted = h.fake.calls.filter((c) => c.method === "chat.postMessage");
    expect(posted).toHaveLength(1);
    expect(String(posted[0]!.body.text)).toMatch(/^🔴 rollback checkout: 10% → 0%/);
  });

  it("refuses an unauthorized user privately and changes nothing", async () => {
    h = await startSlackHarness();
    const { replies } = await run("rollback checkout to 0 I think it is broken", STRANGER);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.response_type).toBe("ephemeral");
    expect(textOf(replies[0]!.blocks)).toContain(
      `refused: <@${STRANGER}> may not rollback: only the Slack users and groups listed under permissions.rollback`,
    );
    expect(h.store.commits).toHaveLength(0);
    expect(h.store.dispatches).toHaveLength(0);
    expect(h.store.files.get(ROLLOUT_PATH)).toBe(rolloutFile(10));
    expect(h.fake.calls.filter((c) => c.method.startsWith("chat."))).toHaveLength(0);
  });

  it("lets an on-call group member roll back, though the group may not advance", async () => {
    h = await startSlackHarness({ start: new Date("2026-11-22T10:00:00Z") });
    const advance = await run("advance checkout", ONCALL);
    expect(advance.replies[0]!.response_type).toBe("ephemeral");
    expect(textOf(advance.replies[0]!.blocks)).toContain("may not advance");
    expect(h.store.commits).toHaveLength(0);

    const rollback = await run("rollback checkout to 0 pager fired", ONCALL);
    expect(rollback.replies[1]!.response_type).toBe("in_channel");
    expect(h.store.commits).toHaveLength(1);
    expect(h.store.commits[0]!.message).toContain(`Rollout-Actor: slack:${ONCALL.toLowerCase()} (${ONCALL})`);
    // Group membership was looked up once and cached across both commands.
    const lookups = h.fake.calls.filter((c) => c.method === "usergroups.users.list");
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.body.usergroup).toBe("S0ONCALL");
  });
});

describe("<rollout> across the registry", () => {
  const twoRepos = {
    "acme/shop": { [SETTINGS_PATH]: SETTINGS, [ROLLOUT_PATH]: rolloutFile(10) },
    "acme/web": { [SETTINGS_PATH]: SETTINGS, [ROLLOUT_PATH]: rolloutFile(50) },
  };

  it("answers an id found in two repositories with the qualified candidates, and acts on owner/repo:id", async () => {
    h = await startSlackHarness({ repos: twoRepos });
    const ambiguous = await run("pause checkout");
    expect(ambiguous.replies[0]!.response_type).toBe("ephemeral");
    expect(textOf(ambiguous.replies[0]!.blocks)).toContain(
      "'checkout' exists in 2 repositories: name one of acme/shop:checkout, acme/web:checkout.",
    );
    const qualified = await run("pause acme/web:checkout waiting for the migration");
    expect(qualified.replies[1]!.response_type).toBe("in_channel");
    expect(h.stores.get("acme/web")!.commits).toHaveLength(1);
    expect(h.stores.get("acme/shop")!.commits).toHaveLength(0);
  });

  it("suggests the nearest rollout for an unknown id", async () => {
    h = await startSlackHarness({ repos: twoRepos });
    const { replies } = await run("status chekout");
    expect(textOf(replies[0]!.blocks)).toContain(
      "no rollout 'chekout'. Did you mean 'acme/shop:checkout' or 'acme/web:checkout'?",
    );
    const unknownRepo = await run("status acme/nope:checkout");
    expect(textOf(unknownRepo.replies[1]!.blocks)).toContain(
      // Which repositories the bot serves is not told: they may be other tenants'.
      "rollout-bot does not serve a repository 'acme/nope' for you.",
    );
  });
});
