import type { RespondArguments } from "@slack/bolt";
import type { View } from "@slack/types";
import { describe, expect, it } from "vitest";
import { StaticRegistry } from "../../src/adapters/local/static-registry.ts";
import { silentLogger } from "../../src/adapters/log/logger.ts";
import { SimulatedMetrics } from "../../src/adapters/prometheus/simulated-metrics.ts";
import { SlackGroups } from "../../src/adapters/slack/slack-groups.ts";
import { renderActionValue } from "../../src/core/messages/slack-actions.ts";
import { unescapeSlackText } from "../../src/core/messages/slack-text.ts";
import { localServices } from "../../src/main/coordination.ts";
import { actionButton } from "../../src/surfaces/slack/listeners/action-button.ts";
import { rollbackButton } from "../../src/surfaces/slack/listeners/rollback-button.ts";
import { rolloutCommand } from "../../src/surfaces/slack/listeners/rollout-command.ts";
import {
  parseRollbackMetadata,
  renderRollbackMetadata,
  rollbackModal,
} from "../../src/surfaces/slack/rollback-modal.ts";
import type { SlackDeps } from "../../src/surfaces/slack/slack-deps.ts";
import { WorkTracker } from "../../src/surfaces/slack/work-tracker.ts";
import { MemoryRepoStore } from "../doubles/memory-repo-store.ts";
import { RecordingNotifier } from "../doubles/recording-notifier.ts";
import { LEAD, ROLLOUT_PATH, rolloutFile, SETTINGS, SETTINGS_PATH, textOf } from "./slack-harness.ts";

/** Listeners called directly with fake ack/respond and in-memory ports: no Bolt, no HTTP. */

function fakes(options: { openView?: (view: View) => Promise<void> } = {}) {
  const now = new Date("2026-11-22T10:00:00Z");
  const store = new MemoryRepoStore("acme/shop", {
    [SETTINGS_PATH]: SETTINGS,
    [ROLLOUT_PATH]: rolloutFile(10),
  });
  const metrics = new SimulatedMetrics({ error_rate: () => 0.001 });
  const acks: (RespondArguments | undefined)[] = [];
  const responses: RespondArguments[] = [];
  const views: View[] = [];
  const deps: SlackDeps = {
    services: localServices({
      metrics: () => metrics,
      notifier: new RecordingNotifier(),
      clock: { now: () => now },
      logger: silentLogger,
      slack: new SlackGroups({ list: async () => [], clock: { now: () => now }, logger: silentLogger }),
      slackTeam: "T0TEAM",
    }),
    registry: new StaticRegistry([store]),
    links: {},
    work: new WorkTracker(),
    openView: async (_trigger, view) => {
      views.push(view);
      await options.openView?.(view);
    },
    responder: () => async (message) => responses.push(message),
  };
  return {
    deps,
    store,
    acks,
    responses,
    views,
    ack: async (response?: RespondArguments) => {
      acks.push(response);
    },
    respond: async (message: RespondArguments) => {
      responses.push(message);
    },
  };
}

const blocksOf = (message: RespondArguments | undefined) =>
  (message as { blocks?: unknown } | undefined)?.blocks;

const command = (text: string) => ({
  text,
  user_id: LEAD,
  user_name: "lead",
  channel_id: "C0DEPLOYS",
  team_id: "T0TEAM",
});

describe("the /rollout listener", () => {
  it("acks bad input with the error and usage, and does nothing else", async () => {
    const f = fakes();
    await rolloutCommand(f.deps)({ command: command("frobnicate checkout"), ack: f.ack, respond: f.respond });
    expect(f.acks).toHaveLength(1);
    expect(f.acks[0]!.response_type).toBe("ephemeral");
    expect(textOf(blocksOf(f.acks[0]))).toMatch(/^⚠️ unknown command 'frobnicate'/);
    expect(f.responses).toHaveLength(0);
  });

  it("acks before reading any repository, then responds once", async () => {
    const f = fakes();
    let readsAtAck = -1;
    let reads = 0;
    const list = f.store.listRolloutFiles.bind(f.store);
    f.store.listRolloutFiles = async () => {
      reads++;
      return list();
    };
    const ack = async (response?: RespondArguments) => {
      readsAtAck = reads;
      await f.ack(response);
    };
    await rolloutCommand(f.deps)({ command: command("status checkout"), ack, respond: f.respond });
    expect(readsAtAck).toBe(0);
    expect(f.responses).toHaveLength(1);
    expect(f.responses[0]!.text).toMatch(/^🟢 checkout at 10%/);
  });

  it("parses the text as typed, not as Slack escaped it", async () => {
    const f = fakes();
    await rolloutCommand(f.deps)({
      command: command("pause checkout waiting for db &lt;migration&gt; &amp; backfill"),
      ack: f.ack,
      respond: f.respond,
    });
    expect(f.store.commits[0]!.message).toContain("Rollout-Reason: waiting for db <migration> & backfill");
    expect(f.responses[0]!.response_type).toBe("in_channel");
  });
});

describe("the button listeners", () => {
  it("acks a click with an empty body before doing anything", async () => {
    const f = fakes();
    const value = renderActionValue({ verb: "pause", repo: "acme/shop", rollout: "checkout", stage: 10 });
    const order: string[] = [];
    await actionButton(f.deps)({
      action: { action_id: "rollout_pause", value },
      body: { user: { id: LEAD, username: "lead" }, team: { id: "T0TEAM" } },
      ack: async () => {
        order.push(`ack:${f.store.commits.length}`);
      },
      respond: async () => {
        order.push(`respond:${f.store.commits.length}`);
      },
    });
    expect(order).toEqual(["ack:0", "respond:1"]);
  });

  it("Roll back opens the modal for the rollout and stage of the button", async () => {
    const f = fakes();
    const value = renderActionValue({ verb: "rollback", repo: "acme/shop", rollout: "checkout", stage: 10 });
    await rollbackButton(f.deps)({
      action: { action_id: "rollout_rollback", value },
      body: { user: { id: LEAD }, trigger_id: "1.t", response_url: "https://hooks.slack.com/actions/T/1/x" },
      ack: async () => {},
      respond: f.respond,
    });
    expect(f.views).toHaveLength(1);
    expect(f.responses).toHaveLength(0);
    expect(f.store.commits).toHaveLength(0);
  });

  it("says so when the modal cannot be opened, and points at the command", async () => {
    const f = fakes({ openView: () => Promise.reject(new Error("request timed out")) });
    const value = renderActionValue({ verb: "rollback", repo: "acme/shop", rollout: "checkout", stage: 10 });
    await rollbackButton(f.deps)({
      action: { action_id: "rollout_rollback", value },
      body: { user: { id: LEAD }, trigger_id: "1.t" },
      ack: async () => {},
      respond: f.respond,
    });
    expect(textOf(blocksOf(f.responses[0]))).toContain(
      "type /rollout rollback checkout &lt;reason&gt; instead",
    );
  });
});

describe("the rollback modal", () => {
  it("round-trips its metadata and refuses anything else", () => {
    const target = { verb: "rollback" as const, repo: "acme/shop", rollout: "checkout", stage: 12.5 };
    const text = renderRollbackMetadata(target, "https://hooks.slack.com/actions/T0/1/abc");
    expect(parseRollbackMetadata(text)).toEqual({
      v: 1,
      repo: "acme/shop",
      rollout: "checkout",
      stage: 12.5,
      responseUrl: "https://hooks.slack.com/actions/T0/1/abc",
    });
    expect(parseRollbackMetadata(renderRollbackMetadata(target, undefined))).not.toHaveProperty(
      "responseUrl",
    );
    for (const bad of [
      "",
      "{",
      JSON.stringify({ v: 2, repo: "a/b", rollout: "x", stage: 1 }),
      JSON.stringify({ v: 1, repo: "a/b", rollout: "x", stage: 101 }),
      JSON.stringify({ v: 1, repo: "a/b", rollout: "x", stage: 1, responseUrl: "javascript:alert(1)" }),
      JSON.stringify({ v: 1, repo: "a/b", rollout: "x", stage: 1, extra: true }),
      "x".repeat(3001),
    ]) {
      expect(parseRollbackMetadata(bad)).toBeUndefined();
    }
  });

  it("escapes what it shows and asks for a bounded reason", () => {
    const modal = rollbackModal(
      { verb: "rollback", repo: "acme/<shop>", rollout: "checkout", stage: 10 },
      undefined,
    );
    expect(JSON.stringify(modal.blocks)).toContain("acme/&lt;shop&gt;");
    expect(modal.blocks[1]).toMatchObject({
      type: "input",
      block_id: "rollback_reason",
      element: { action_id: "reason", max_length: 500 },
    });
  });
});

describe("unescapeSlackText", () => {
  it("undoes exactly Slack's three entities, in one pass", () => {
    expect(unescapeSlackText("a &lt;b&gt; &amp; c")).toBe("a <b> & c");
    expect(unescapeSlackText("&amp;lt;")).toBe("&lt;");
    expect(unescapeSlackText("&quot; &#39; &amp")).toBe("&quot; &#39; &amp");
  });
});
