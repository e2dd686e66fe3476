import type { KnownBlock } from "@slack/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanText } from "../../src/core/commands/command.ts";
import type { RolloutFile, RolloutFileInput } from "../../src/core/config/schema.ts";
import { ROLLOUT_ID_PATTERN } from "../../src/core/config/schema.ts";
import {
  ACTION_IDS,
  ACTION_VERBS,
  parseActionValue,
  renderActionValue,
  verbOfActionId,
} from "../../src/core/messages/slack-actions.ts";
import {
  escapeMrkdwn,
  mrkdwnText,
  renderErrorBlocks,
  renderHelpBlocks,
  renderReplyText,
  renderStatusBlocks,
  SLACK_LIMITS,
  truncate,
} from "../../src/core/messages/slack-blocks.ts";
import {
  buildStatusMessage,
  type StatusEvent,
  type StatusMessage,
} from "../../src/core/messages/status-message.ts";
import { evaluateGate } from "../../src/core/rollout/gate.ts";
import { judgeHealth, metricRequests, type Reason } from "../../src/core/rollout/health.ts";
import type { MetricResult } from "../../src/core/rollout/metric-request.ts";
import { viewState } from "../../src/core/rollout/stage-view.ts";
import { defaultSettings, plan } from "../helpers/plans.ts";

const now = new Date("2026-11-22T12:00:00Z");
const links = { grafana: "https://grafana.example.com/d/checkout?from=now-6h&to=now" };

function status(
  overrides: Partial<RolloutFileInput>,
  values: Record<string, number | string>,
  extra: { event?: StatusEvent; headline?: string } = {},
): StatusMessage {
  const file: RolloutFile = plan({ links, notify: { slack_channel: "#deploys" }, ...overrides });
  const view = viewState(file);
  const results = new Map<string, MetricResult>();
  for (const r of metricRequests(file, view, now)) {
    const v = values[r.metric];
    if (v !== undefined)
      results.set(r.key, typeof v === "number" ? { ok: true, value: v } : { ok: false, reason: v });
  }
  const health = judgeHealth({ file, view, now, results });
  const gate = evaluateGate({ view, settings: defaultSettings(), health, now });
  return buildStatusMessage({
    id: "checkout-v2",
    repo: "acme/shop",
    file,
    view,
    health,
    now,
    gate,
    ...extra,
  });
}

const green = () =>
  status(
    { state: { percent: 10, phase: "baking", started_at: "2026-11-22T10:00:00Z" } },
    { error_rate: 0.004 },
  );
const yellow = () =>
  status(
    { state: { percent: 50, phase: "baking", started_at: "2026-11-22T11:00:00Z" } },
    { error_rate: 0.004, p99: "no data for baseline_p99" },
  );
const red = () =>
  status(
    {
      state: {
        percent: 10,
        phase: "rolled_back",
        started_at: "2026-11-22T11:55:00Z",
        cooldown_until: "2026-11-25T11:55:00Z",
        reason: "automatic: error_rate 7% > 5% for 5m",
      },
    },
    { error_rate: 0.07 },
    {
      event: "rolled_back",
      headline: "rollback checkout-v2: 50% → 10% — automatic: error_rate 7% > 5% for 5m",
    },
  );

/** Every text Slack reads as mrkdwn or plain text, wherever it sits in the blocks. */
function texts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === "object") {
    const object = value as Record<string, unknown>;
    const own = (object.type === "mrkdwn" || object.type === "plain_text") && typeof object.text === "string";
    return [...(own ? [object.text as string] : []), ...Object.values(object).flatMap(texts)];
  }
  return [];
}

function actionIds(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === "actions" ? b.elements.map((e) => ("action_id" in e ? e.action_id : "")) : [],
  );
}

describe("renderStatusBlocks", () => {
  it("renders a green stage with an open gate and an Advance button", () => {
    const rendered = renderStatusBlocks(green(), { now });
    expect(rendered.text).toBe("🟢 checkout-v2 at 10% (baking)");
    expect(rendered).toMatchSnapshot();
  });

  it("renders a yellow stage with the gate closed and no Advance button", () => {
    const rendered = renderStatusBlocks(yellow(), { now });
    expect(actionIds(rendered.blocks)).toEqual(["rollout_rollback", "rollout_pause"]);
    expect(rendered).toMatchSnapshot();
  });

  it("renders a rollback in red with the reason, cooldown and a Rollback that asks to confirm", () => {
    const rendered = renderStatusBlocks(red(), { now });
    expect(rendered.text).toBe(
      "🔴 rollback checkout-v2: 50% → 10% — automatic: error_rate 7% &gt; 5% for 5m",
    );
    expect(rendered).toMatchSnapshot();
  });

  it("offers Resume instead of Pause while paused, and no Rollback at 0%", () => {
    const paused = status({ state: { percent: 0, phase: "paused", reason: "waiting for QA" } }, {});
    expect(actionIds(renderStatusBlocks(paused).blocks)).toEqual(["rollout_resume"]);
  });

  it("links to the rollout's status page when a public URL is configured, and only then", () => {
    const links = (options: Parameters<typeof renderStatusBlocks>[1]) =>
      JSON.stringify(
        renderStatusBlocks(green(), options)
          .blocks.filter((b) => b.type === "context")
          .at(-1),
      );
    expect(links({ pageUrl: "https://rollouts.example.com/" })).toContain(
      `<https://rollouts.example.com/rollout?repo=${encodeURIComponent(green().repo)}&amp;id=${green().rollout}|status page>`,
    );
    expect(links({})).not.toContain("status page");
  });

  it("has no buttons when not interactive", () => {
    const rendered = renderStatusBlocks(green(), { interactive: false });
    expect(rendered.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("puts a value in each button that parses back to the rollout and its stage", () => {
    const values = renderStatusBlocks(green()).blocks.flatMap((b) =>
      b.type === "actions" ? b.elements.map((e) => ("value" in e ? e.value : undefined)) : [],
    );
    expect(values.map((v) => parseActionValue(v ?? ""))).toEqual([
      { verb: "advance", repo: "acme/shop", rollout: "checkout-v2", stage: 10 },
      { verb: "rollback", repo: "acme/shop", rollout: "checkout-v2", stage: 10 },
      { verb: "pause", repo: "acme/shop", rollout: "checkout-v2", stage: 10 },
    ]);
  });

  it("escapes user-controlled text: no mention, link or markup injection", () => {
    const message: StatusMessage = {
      ...green(),
      headline: "hi <!channel> & <https://evil.example|click here> \u202eevil",
      reason: "<@U123> said so",
      links: { "dash<board>": "https://grafana.example.com/?a=1&b=<2>|x", bad: "javascript:alert(1)" },
    };
    const rendered = renderStatusBlocks(message);
    const all = texts(rendered.blocks).join("\n") + rendered.text;
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<@U123>");
    expect(all).not.toContain("<https://evil");
    expect(all).not.toContain("\u202e");
    expect(all).toContain("hi &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;");
    expect(all).toContain("<https://grafana.example.com/?a=1&amp;b=&lt;2&gt;%7Cx|dash&lt;board&gt;>");
    expect(all).not.toContain("javascript:");
  });

  it("stays within Slack's limits whatever the input", () => {
    const many: Reason[] = Array.from({ length: 400 }, (_, i) => ({
      kind: "criterion",
      status: "yellow",
      pass: false,
      metric: "error_rate",
      text: `error_rate ${"&".repeat(700)} #${i}`,
    }));
    const message: StatusMessage = {
      ...yellow(),
      headline: "x".repeat(10_000),
      reason: "<".repeat(5000),
      health: { status: "yellow", reasons: many },
    };
    const { text, blocks } = renderStatusBlocks(message, { now });
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(text).not.toContain("\n");
    for (const block of blocks) {
      if (block.type === "header")
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (block.type === "section")
        expect(block.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    for (const t of texts(blocks)) {
      expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      // Never cut inside an entity: an `&` always starts a whole one.
      expect(t.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
    }
    expect(texts(blocks).join("\n")).toMatch(/more section\(s\) of reasons not shown/);
  });
});

describe("text helpers", () => {
  it("escapes the three characters Slack reserves, and drops control characters", () => {
    expect(escapeMrkdwn("a & b < c > d\u0007\n")).toBe("a &amp; b &lt; c &gt; d ");
  });
  it("truncates without splitting a surrogate pair", () => {
    const cut = truncate("😀".repeat(100), 12);
    expect(cut.length).toBeLessThanOrEqual(12);
    // encodeURIComponent throws on a lone surrogate.
    expect(() => encodeURIComponent(cut)).not.toThrow();
    expect(cut.endsWith("…")).toBe(true);
  });
  it("cuts escaped text between entities, within the limit", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 2, max: 120 }), (raw, max) => {
        const out = mrkdwnText(raw, max);
        const escaped = escapeMrkdwn(raw);
        if (escaped.length <= max) expect(out).toBe(escaped);
        else expect(out.length).toBeLessThanOrEqual(max);
        expect(out.replace(/&(amp|lt|gt);/g, "")).not.toMatch(/[&<>]/);
      }),
    );
  });
});

describe("renderReplyText, renderHelpBlocks, renderErrorBlocks", () => {
  it("replies in the thread with the headline, the facts and what fails", () => {
    expect(renderReplyText(yellow())).toMatchInlineSnapshot(`
      "🟡 checkout-v2 at 50% (baking)
      stage 2/3  ·  baking  ·  in stage 1h  ·  bake remaining 1h
      ✗ *p99* vs baseline_p99 (increase) &lt; +5% now: no data for baseline_p99"
    `);
  });
  it("renders help and errors as escaped sections", () => {
    const help = renderHelpBlocks("status [<rollout>] — health\nlist — every rollout");
    expect(help.blocks).toEqual([
      {
        type: "section",
        text: { type: "mrkdwn", text: "status [&lt;rollout&gt;] — health\nlist — every rollout" },
      },
    ]);
    const error = renderErrorBlocks("unknown rollout <x>");
    expect(error.text).toBe("⚠️ unknown rollout &lt;x&gt;");
    expect(error.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "⚠️ unknown rollout &lt;x&gt;" } },
    ]);
  });
});

describe("action values", () => {
  const repo = fc
    .string({ minLength: 1, maxLength: 200, unit: "grapheme" })
    .filter((s) => cleanText(s) === s);
  const target = fc.record({
    verb: fc.constantFrom(...ACTION_VERBS),
    repo,
    rollout: fc.stringMatching(ROLLOUT_ID_PATTERN),
    stage: fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 10_000),
  });

  it("round-trips every target", () => {
    fc.assert(
      fc.property(target, (t) => {
        const value = renderActionValue(t);
        expect(value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
        expect(parseActionValue(value)).toEqual(t);
      }),
    );
  });

  it("rejects forged or malformed values", () => {
    const valid = { v: 1, verb: "rollback", repo: "acme/shop", rollout: "checkout-v2", stage: 25 };
    const forged = [
      "",
      "rollback",
      "null",
      "[]",
      JSON.stringify({ ...valid, v: 2 }),
      JSON.stringify({ ...valid, verb: "delete" }),
      JSON.stringify({ ...valid, verb: "rollback-all" }),
      JSON.stringify({ ...valid, rollout: "../../etc" }),
      JSON.stringify({ ...valid, rollout: "Checkout" }),
      JSON.stringify({ ...valid, stage: 101 }),
      JSON.stringify({ ...valid, stage: "25" }),
      JSON.stringify({ ...valid, repo: "acme/shop\nX-Trailer: forged" }),
      JSON.stringify({ ...valid, repo: "acme/\u202eshop" }),
      JSON.stringify({ ...valid, admin: true }),
      '{"__proto__":{"admin":true},"v":1,"verb":"pause","repo":"a/b","rollout":"x","stage":1}',
      JSON.stringify({ ...valid, repo: "a".repeat(2000) }),
    ];
    for (const text of forged) expect(parseActionValue(text), text).toBeUndefined();
    expect(parseActionValue(JSON.stringify(valid))).toEqual({
      verb: "rollback",
      repo: "acme/shop",
      rollout: "checkout-v2",
      stage: 25,
    });
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseActionValue(text);
        if (parsed) expect(ACTION_VERBS).toContain(parsed.verb);
      }),
    );
  });

  it("maps action ids to verbs and back", () => {
    for (const verb of ACTION_VERBS) expect(verbOfActionId(ACTION_IDS[verb])).toBe(verb);
    expect(ACTION_IDS).toEqual({
      advance: "rollout_advance",
      rollback: "rollout_rollback",
      pause: "rollout_pause",
      resume: "rollout_resume",
    });
    expect(verbOfActionId("rollout_delete")).toBeUndefined();
  });
});
