import type { KnownBlock } from "@slack/types";
import { escapeMrkdwn, mrkdwnText, SLACK_LIMITS } from "./slack-blocks.ts";
import { HEALTH_EMOJI, type StatusMessage } from "./status-message.ts";

/**
 * The weekly report (`notify.weekly_report`): one message per repository and channel listing where
 * each active rollout stands and what moved it in the last 7 days.
 */

export interface WeeklyRow {
  status: StatusMessage;
  /** Audited changes of the last 7 days, oldest first: `advance 10% → 50%`. */
  moves: string[];
}

export function renderWeeklyReport(
  repo: string,
  rows: readonly WeeklyRow[],
): { text: string; blocks: KnownBlock[] } {
  const lines = rows.map(({ status: m, moves }) => {
    const facts = [`${m.percent}%`, `stage ${m.stage}/${m.stageCount}`, m.phase.replace("_", " ")];
    if (m.timeInStage) facts.push(`in stage ${escapeMrkdwn(m.timeInStage)}`);
    const week =
      moves.length > 0
        ? `\n    this week: ${mrkdwnText(moves.join(", "), 500)}`
        : "\n    this week: no change";
    return `${HEALTH_EMOJI[m.colour]} *${escapeMrkdwn(m.rollout)}* · ${facts.join(" · ")}${week}`;
  });
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: `📅 Weekly rollout report · ${repo}`.slice(0, 150) },
    },
  ];
  let current = "";
  for (const line of lines) {
    if (current !== "" && current.length + line.length + 1 > SLACK_LIMITS.sectionText) {
      blocks.push({ type: "section", text: { type: "mrkdwn", text: current } });
      current = "";
    }
    current = current === "" ? line : `${current}\n${line}`;
  }
  if (current !== "") blocks.push({ type: "section", text: { type: "mrkdwn", text: current } });
  const summary = rows.map(
    (r) => `${HEALTH_EMOJI[r.status.colour]} ${r.status.rollout} ${r.status.percent}%`,
  );
  return {
    text: mrkdwnText(`📅 Weekly rollout report · ${repo}: ${summary.join(", ")}`, SLACK_LIMITS.fallbackText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

export interface WeeklyReport {
  repo: string;
  channel: string;
  rows: WeeklyRow[];
}
