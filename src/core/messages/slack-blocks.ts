import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from "@slack/types";
import { cleanText } from "../commands/command.ts";
import { rolloutPath } from "../config/rollout-file.ts";
import type { Reason } from "../rollout/health.ts";
import { ACTION_IDS, type ActionVerb, renderActionValue } from "./slack-actions.ts";
import { awaitingApproval, HEALTH_EMOJI, proposalFact, type StatusMessage } from "./status-message.ts";
import { statusPageUrl } from "./status-page-url.ts";

/** Block Kit for the status message, threaded updates and ephemeral replies. Pure: no I/O, no clock. */

export interface SlackRender {
  /** Notification and fallback text: one line. */
  text: string;
  blocks: KnownBlock[];
}

export interface StatusBlocksOptions {
  /** When given, an "updated" time is shown (in each reader's own time zone). */
  now?: Date;
  /** Adds the Advance / Rollback / Pause / Resume buttons; default true. */
  interactive?: boolean;
  /** Web address of GitHub, for the link to the rollout file; default https://github.com. */
  githubUrl?: string;
  /** The status page's public URL (`PUBLIC_URL`): each message links to its rollout's page. */
  pageUrl?: string | undefined;
}

/** Slack's documented limits; longer text is refused (`invalid_blocks`), so it is cut here first. */
export const SLACK_LIMITS = {
  sectionText: 3000,
  headerText: 150,
  blocks: 50,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Ours, not Slack's: a notification is one line. */
  fallbackText: 300,
} as const;

const ELLIPSIS = "…";
/** One reason line at most; the section limit still applies to the lines together. */
const MAX_REASON_LINE = 600;
const BAR_WIDTH = 20;

/** Escapes what Slack mrkdwn treats as markup (`&`, `<`, `>`): no links, mentions or `<!channel>`. */
export function escapeMrkdwn(text: string): string {
  return cleanText(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cuts to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length > max - ELLIPSIS.length) break;
    out += ch;
  }
  return out + ELLIPSIS;
}

/** Escaped and cut to `max`, never inside an entity such as `&amp;`. */
export function mrkdwnText(raw: string, max: number): string {
  const pieces = Array.from(cleanText(raw), escapeMrkdwn);
  if (pieces.reduce((n, p) => n + p.length, 0) <= max) return pieces.join("");
  let out = "";
  for (const piece of pieces) {
    if (out.length + piece.length > max - ELLIPSIS.length) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

const oneLine = (text: string) => cleanText(text, " ").replace(/ {2,}/g, " ").trim();
const plain = (text: string, max: number) => ({ type: "plain_text" as const, text: truncate(text, max) });
const mrkdwn = (text: string) => ({
  type: "mrkdwn" as const,
  text: truncate(text, SLACK_LIMITS.sectionText),
});
const section = (text: string): SectionBlock => ({ type: "section", text: mrkdwn(text) });
const context = (text: string): ContextBlock => ({ type: "context", elements: [mrkdwn(text)] });

/** `<!date^…>` shows a time in each reader's own zone; the fallback is UTC. */
function slackDate(iso: string, format: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeMrkdwn(iso);
  const fallback = date.toISOString().replace(/:\d\d\.\d{3}Z$/, "Z");
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}

/**
 * `███░░░` 25%  ·  0 › 10 › *[25]* › _50 (proposed)_ › 100 — the bar fills to the percent; the current
 * stage is marked, a proposed one (a bump PR not merged yet) only named.
 */
export function progressLine(percent: number, percents: readonly number[], proposed?: number): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round((percent / 100) * BAR_WIDTH)));
  const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
  const stages = [0, ...percents]
    .map((p) => (p === percent ? `*[${p}]*` : p === proposed ? `_${p} (proposed)_` : String(p)))
    .join(" › ");
  return `\`${bar}\` *${percent}%*  ·  ${stages}`;
}

function factsLine(message: StatusMessage, now: Date | undefined): string {
  const facts = [`stage ${message.stage}/${message.stageCount}`, message.phase.replace("_", " ")];
  if (message.proposed) facts.push(proposalFact(message.proposed));
  if (message.timeInStage) facts.push(`in stage ${escapeMrkdwn(message.timeInStage)}`);
  if (message.bakeRemaining) facts.push(`bake remaining ${escapeMrkdwn(message.bakeRemaining)}`);
  if (message.cooldownUntil)
    facts.push(`cooldown until ${slackDate(message.cooldownUntil, "{date_short_pretty} {time}")}`);
  if (now) facts.push(`updated ${slackDate(now.toISOString(), "{time}")}`);
  return facts.join("  ·  ");
}

export function reasonLine(reason: Reason): string {
  const mark = reason.pass ? "✓" : "✗";
  const text = truncate(oneLine(reason.text), MAX_REASON_LINE);
  const metric = reason.metric;
  if (metric !== undefined && text.startsWith(metric)) {
    return `${mark} *${escapeMrkdwn(metric)}*${escapeMrkdwn(text.slice(metric.length))}`;
  }
  return `${mark} ${escapeMrkdwn(text)}`;
}

/** Lines packed into as few sections as the section limit allows. */
function packSections(lines: readonly string[]): SectionBlock[] {
  const sections: SectionBlock[] = [];
  let current = "";
  for (const line of lines) {
    const fitted = truncate(line, SLACK_LIMITS.sectionText);
    if (current !== "" && current.length + 1 + fitted.length > SLACK_LIMITS.sectionText) {
      sections.push(section(current));
      current = "";
    }
    current = current === "" ? fitted : `${current}\n${fitted}`;
  }
  if (current !== "") sections.push(section(current));
  return sections;
}

function gateLine(message: StatusMessage): string | undefined {
  const gate = message.gate;
  if (gate?.nextPercent === undefined) return undefined;
  const waiting = awaitingApproval(message);
  if (waiting) return `*Gate to ${gate.nextPercent}%:* ${waiting}`;
  if (gate.open) return `*Gate to ${gate.nextPercent}%:* open ✓`;
  const failing = gate.checks
    .filter((c) => !c.pass)
    .map((c) => (c.name === "health" ? `health is ${message.health.status}` : `${c.name}: ${c.detail}`));
  return `*Gate to ${gate.nextPercent}%:* closed ✗ — ${mrkdwnText(failing.join("; "), 1000)}`;
}

function link(url: string, label: string): string {
  if (!/^https?:\/\//i.test(url)) return escapeMrkdwn(label);
  return `<${escapeMrkdwn(url).replace(/\|/g, "%7C")}|${mrkdwnText(label, 80)}>`;
}

function linksLine(message: StatusMessage, githubUrl: string, pageUrl: string | undefined): string {
  const path = message.path ?? rolloutPath(message.rollout);
  const file = /^[\w.-]+\/[\w.-]+$/.test(message.repo)
    ? link(`${githubUrl.replace(/\/+$/, "")}/${message.repo}/blob/HEAD/${path}`, path)
    : `\`${escapeMrkdwn(path)}\` in ${mrkdwnText(message.repo, 200)}`;
  const parts = [file];
  if (pageUrl !== undefined)
    parts.push(link(statusPageUrl(pageUrl, message.repo, message.rollout), "status page"));
  let length = parts.join("  ·  ").length;
  for (const [name, url] of Object.entries(message.links)) {
    const part = link(url, name);
    if (length + part.length + 5 > SLACK_LIMITS.sectionText) break;
    parts.push(part);
    length += part.length + 5;
  }
  return parts.join("  ·  ");
}

function button(verb: ActionVerb, label: string, message: StatusMessage): Button {
  return {
    type: "button",
    action_id: ACTION_IDS[verb],
    text: plain(label, SLACK_LIMITS.buttonText),
    value: renderActionValue({ verb, repo: message.repo, rollout: message.rollout, stage: message.percent }),
  };
}

function actionsBlock(message: StatusMessage): ActionsBlock | undefined {
  const elements: Button[] = [];
  const next = message.gate?.nextPercent;
  if (message.gate?.open && next !== undefined) {
    elements.push({ ...button("advance", `Advance to ${next}%`, message), style: "primary" });
  }
  if (message.percent > 0) {
    const rollout = message.rollout;
    elements.push({
      ...button("rollback", "Roll back", message),
      style: "danger",
      confirm: {
        title: plain(`Roll back ${rollout}?`, SLACK_LIMITS.confirmTitle),
        text: plain(
          `This commits a lower percentage for ${rollout} (now ${message.percent}%) and runs its rollback workflow. You will be asked for a reason.`,
          SLACK_LIMITS.confirmText,
        ),
        confirm: plain("Roll back", SLACK_LIMITS.confirmButton),
        deny: plain("Cancel", SLACK_LIMITS.confirmButton),
        style: "danger",
      },
    });
  }
  if (message.phase === "paused") elements.push(button("resume", "Resume", message));
  else if (message.phase !== "complete") elements.push(button("pause", "Pause", message));
  return elements.length === 0 ? undefined : { type: "actions", block_id: "rollout_actions", elements };
}

/** `🔴 rollback checkout-v2: 50% → 25% — reason`: the headline on one line, for notifications. */
export function renderFallbackText(message: StatusMessage): string {
  return mrkdwnText(
    `${HEALTH_EMOJI[message.colour]} ${oneLine(message.headline)}`,
    SLACK_LIMITS.fallbackText,
  );
}

export function renderStatusBlocks(message: StatusMessage, options: StatusBlocksOptions = {}): SlackRender {
  const emoji = HEALTH_EMOJI[message.colour];
  const head: KnownBlock[] = [
    {
      type: "header",
      text: {
        ...plain(
          `${emoji} ${message.rollout} · ${message.percent}%${message.proposed ? ` → ${message.proposed.percent}% proposed` : ""}`,
          SLACK_LIMITS.headerText,
        ),
        emoji: true,
      },
    },
    section(
      `${mrkdwnText(oneLine(message.headline), 1000)}\n${progressLine(message.percent, message.percents, message.proposed?.percent)}`,
    ),
    context(factsLine(message, options.now)),
  ];
  if (message.reason) head.push(section(`*Reason:* ${mrkdwnText(oneLine(message.reason), 2000)}`));
  const reasons = packSections([
    `*Health:* ${message.health.status}`,
    ...message.health.reasons.map(reasonLine),
  ]);
  const tail: KnownBlock[] = [];
  const gate = gateLine(message);
  if (gate) tail.push(section(gate));
  tail.push(context(linksLine(message, options.githubUrl ?? "https://github.com", options.pageUrl)));
  const actions = options.interactive === false ? undefined : actionsBlock(message);
  if (actions) tail.push(actions);
  const room = SLACK_LIMITS.blocks - head.length - tail.length;
  const shown = reasons.length <= room ? reasons : reasons.slice(0, room - 1);
  const omitted = reasons.length - shown.length;
  const more = omitted > 0 ? [context(`…${omitted} more section(s) of reasons not shown`)] : [];
  return { text: renderFallbackText(message), blocks: [...head, ...shown, ...more, ...tail] };
}

/** A threaded update: the headline, where the rollout stands, and what fails. */
export function renderReplyText(message: StatusMessage): string {
  const lines = [
    `${HEALTH_EMOJI[message.colour]} ${mrkdwnText(oneLine(message.headline), 300)}`,
    factsLine(message, undefined),
  ];
  const failing = message.health.reasons.filter((r) => !r.pass);
  lines.push(...failing.slice(0, 3).map(reasonLine));
  if (failing.length > 3) lines.push(`…and ${failing.length - 3} more`);
  return truncate(lines.join("\n"), SLACK_LIMITS.sectionText);
}

function textBlocks(prefix: string, text: string): SlackRender {
  const lines = text.split("\n").map((line) => mrkdwnText(line, SLACK_LIMITS.sectionText - prefix.length));
  const first = lines[0] ?? "";
  const blocks = packSections([`${prefix}${first}`, ...lines.slice(1)]).slice(0, SLACK_LIMITS.blocks);
  return { text: mrkdwnText(`${prefix}${oneLine(text)}`, SLACK_LIMITS.fallbackText), blocks };
}

/** Help for an ephemeral reply; usage lines are kept as typed (no markup). */
export function renderHelpBlocks(text: string): SlackRender {
  return textBlocks("", text);
}

/** An error for an ephemeral reply: the text of a typed error, never a stack. */
export function renderErrorBlocks(text: string): SlackRender {
  return textBlocks("⚠️ ", text);
}
