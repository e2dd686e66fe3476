import type { KnownBlock } from "@slack/types";
import type { MutationOutcome } from "../../commands/mutate.ts";
import type { CommandOutcome } from "../../commands/run-command.ts";
import {
  escapeMrkdwn,
  mrkdwnText,
  renderErrorBlocks,
  renderHelpBlocks,
  renderStatusBlocks,
  SLACK_LIMITS,
  type StatusBlocksOptions,
} from "../../core/messages/slack-blocks.ts";
import { HEALTH_EMOJI, progressBar, type StatusMessage } from "../../core/messages/status-message.ts";
import { renderHuman } from "../cli/cli-render.ts";

/**
 * What a `/rollout` command or a button click gets back: reads and refusals privately (ephemeral),
 * changes in the channel, so everyone there sees who moved traffic. Pure: no I/O.
 */

export interface SlackReply {
  response_type: "ephemeral" | "in_channel";
  text: string;
  blocks: KnownBlock[];
}

export function ephemeral(render: { text: string; blocks: KnownBlock[] }): SlackReply {
  return { response_type: "ephemeral", ...render };
}

/** A user mention the core wrote (`<@U012AB3CD>`), escaped with the rest, made a mention again. */
const ESCAPED_MENTION = /&lt;@([UW][A-Z0-9]{2,20})&gt;/g;

export function errorReply(message: string, details: readonly string[] = []): SlackReply {
  const lines = [message, ...details.slice(0, 20).map((d) => `· ${d}`)];
  const render = renderErrorBlocks(lines.join("\n"));
  const blocks = render.blocks.map((block) =>
    block.type === "section" && block.text
      ? { ...block, text: { ...block.text, text: block.text.text.replace(ESCAPED_MENTION, "<@$1>") } }
      : block,
  );
  return ephemeral({ text: render.text, blocks });
}

const section = (text: string): KnownBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: text.slice(0, SLACK_LIMITS.sectionText) },
});

/** Status messages one after the other; when they do not fit in one message, one line each. */
export function statusReply(
  messages: StatusMessage[],
  options: StatusBlocksOptions,
  notes: string[],
): SlackReply {
  if (messages.length === 0 && notes.length === 0) {
    return ephemeral({ text: "no rollouts", blocks: [section("No rollouts in .github/rollouts/.")] });
  }
  const blocks: KnownBlock[] = [];
  for (const message of messages) {
    if (blocks.length > 0) blocks.push({ type: "divider" });
    blocks.push(...renderStatusBlocks(message, options).blocks);
  }
  const noteBlocks =
    notes.length > 0 ? [section(mrkdwnText(notes.join("\n"), SLACK_LIMITS.sectionText))] : [];
  if (blocks.length + noteBlocks.length > SLACK_LIMITS.blocks) {
    const list = listReply(messages, [
      ...notes,
      "Too many rollouts for one message: ask for one with /rollout status <rollout>.",
    ]);
    return list;
  }
  const first = messages[0];
  const text =
    messages.length === 1 && first
      ? renderStatusBlocks(first, options).text
      : `${messages.length} rollouts: ${messages.map((m) => `${HEALTH_EMOJI[m.colour]} ${m.rollout}`).join(", ")}`;
  return ephemeral({ text: mrkdwnText(text, SLACK_LIMITS.fallbackText), blocks: [...blocks, ...noteBlocks] });
}

/** One line per rollout: colour, id, repository, bar, phase. */
export function listReply(messages: StatusMessage[], notes: string[]): SlackReply {
  const lines = messages.map(
    (m) =>
      `${HEALTH_EMOJI[m.colour]} *${escapeMrkdwn(m.rollout)}* · ${mrkdwnText(m.repo, 140)}  \`${progressBar(m.percent, m.percents, 10)}\`  ${m.phase.replace("_", " ")}`,
  );
  const all = [
    ...(lines.length > 0 ? lines : ["No rollouts in .github/rollouts/."]),
    ...notes.map((n) => mrkdwnText(n, 1000)),
  ];
  const blocks: KnownBlock[] = [];
  let current = "";
  for (const line of all) {
    if (current !== "" && current.length + line.length + 1 > SLACK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = "";
    }
    current = current === "" ? line : `${current}\n${line}`;
  }
  if (current !== "") blocks.push(section(current));
  return ephemeral({
    text: `${messages.length} rollout(s)`,
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  });
}

function readNotes(outcome: {
  invalid: { repo: string; path: string; diagnostics: unknown[] }[];
  unreadable: string[];
}): string[] {
  return [
    ...outcome.invalid.map(
      (f) => `✗ ${f.repo}: ${f.path} is invalid (${f.diagnostics.length} problem(s)): /rollout validate`,
    ),
    ...outcome.unreadable.map((repo) => `⚠️ ${repo}: could not be read (logged)`),
  ];
}

function mutationReply(outcome: MutationOutcome, who: string, options: StatusBlocksOptions): SlackReply {
  if (outcome.kind === "refused") {
    return errorReply(`refused: ${outcome.rollout}: ${outcome.message}`, outcome.reasons);
  }
  const lines = [`${who} ${mrkdwnText(outcome.plan.summary, 1000)}`];
  if (outcome.kind === "proposed") {
    const verb = outcome.pr.created ? "opened" : "refreshed";
    lines.push(
      `${verb} pull request ${link(outcome.pr.url, `#${outcome.pr.number}`)}: approve and merge it to advance`,
    );
    if (outcome.pr.note) lines.push(`⚠️ ${mrkdwnText(outcome.pr.note, 500)}`);
  } else if (outcome.kind === "applied") {
    if (outcome.urgentPr) {
      lines.push(
        `🚨 branch protection refused the commit: merge urgent pull request ${link(outcome.urgentPr.url, `#${outcome.urgentPr.number}`)}`,
      );
    } else if (outcome.commit) lines.push(`committed \`${escapeMrkdwn(outcome.commit.slice(0, 12))}\``);
    for (const d of outcome.dispatches) {
      lines.push(
        d.dispatched
          ? `dispatched \`${escapeMrkdwn(d.workflow)}\``
          : `⚠️ \`${escapeMrkdwn(d.workflow)}\`: ${mrkdwnText(d.detail ?? "not dispatched", 500)}`,
      );
    }
  }
  const status = renderStatusBlocks(outcome.status, options);
  return {
    response_type: outcome.kind === "planned" ? "ephemeral" : "in_channel",
    text: mrkdwnText(`${outcome.plan.summary}`, SLACK_LIMITS.fallbackText),
    blocks: [section(lines.join("\n")), ...status.blocks].slice(0, SLACK_LIMITS.blocks),
  };
}

function link(url: string, label: string): string {
  return /^https?:\/\//i.test(url)
    ? `<${escapeMrkdwn(url).replace(/\|/g, "%7C")}|${escapeMrkdwn(label)}>`
    : escapeMrkdwn(label);
}

/** `who` is the mention of the user who acted, already in Slack markup. */
export function replyFor(
  outcome: CommandOutcome,
  who: string,
  options: StatusBlocksOptions = {},
): SlackReply {
  switch (outcome.kind) {
    case "help":
      return ephemeral(renderHelpBlocks(outcome.text));
    case "status":
      return statusReply(outcome.statuses, options, readNotes(outcome));
    case "list":
      return listReply(outcome.rollouts, readNotes(outcome));
    case "denied":
      return errorReply(`refused: ${outcome.reason}`);
    case "stale":
      return errorReply(
        `refused: this button was for ${outcome.rollout} at ${outcome.drawnAt}%, but it is now at ${outcome.percent}%. Nothing was changed: use the latest status message or /rollout status ${outcome.rollout}.`,
      );
    case "rollback-all-repos": {
      const done = outcome.outcomes.map((o) => replyFor(o, who, options));
      const refused = outcome.denied.map((d) => `${d.repo}: ${d.reason}`);
      if (done.length === 0) return errorReply("refused: rollback all changed nothing", refused);
      const blocks = done.flatMap((r) => r.blocks);
      if (refused.length > 0) blocks.push(...errorReply("not rolled back in:", refused).blocks);
      return {
        response_type: done.some((r) => r.response_type === "in_channel") ? "in_channel" : "ephemeral",
        text: done
          .map((r) => r.text)
          .join(" · ")
          .slice(0, 300),
        blocks: blocks.slice(0, SLACK_LIMITS.blocks),
      };
    }
    case "validate": {
      const lines = outcome.files.map((f) =>
        f.ok
          ? `✓ ${f.repo}: ${f.path}`
          : `✗ ${f.repo}: ${f.path}: ${f.diagnostics.length} problem(s): ${f.diagnostics
              .slice(0, 3)
              .map((d) => `${d.line}:${d.column} ${d.message}`)
              .join("; ")}`,
      );
      return ephemeral(renderHelpBlocks(lines.join("\n") || "no rollout files in .github/rollouts/"));
    }
    case "history":
    case "tick":
      return ephemeral(renderHelpBlocks(renderHuman(outcome)));
    case "rollback-all": {
      const text = renderHuman(outcome);
      const body = renderHelpBlocks(text);
      return {
        response_type: outcome.plans.length > 0 ? "in_channel" : "ephemeral",
        text: body.text,
        blocks: [section(`🚨 ${who} pulled the kill switch`), ...body.blocks].slice(0, SLACK_LIMITS.blocks),
      };
    }
    default:
      return mutationReply(outcome, who, options);
  }
}
