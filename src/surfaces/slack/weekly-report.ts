import type { KnownBlock } from "@slack/types";
import cron, { type ScheduledTask } from "node-cron";
import type { CommandContext } from "../../commands/context.ts";
import { history } from "../../commands/history.ts";
import { loadRepo } from "../../commands/load-repo.ts";
import { runCommand } from "../../commands/run-command.ts";
import { escapeMrkdwn, mrkdwnText, SLACK_LIMITS } from "../../core/messages/slack-blocks.ts";
import { HEALTH_EMOJI, type StatusMessage } from "../../core/messages/status-message.ts";
import { isStatusDue, lastOccurrence } from "../../core/rollout/status-schedule.ts";
import type { Clock, Dedupe, Logger, RepoRegistry, RepoStore } from "../../ports.ts";

/**
 * The weekly report (`notify.weekly_report`, a cron in the rollout file or the settings, in their
 * time zone): one separate message per repository and channel listing where each active rollout
 * stands and what moved it in the last 7 days. Checked on every pass of the evaluation loop.
 */

export interface WeeklyRow {
  status: StatusMessage;
  /** Audited changes of the last 7 days, oldest first: `advance 10% → 50%`. */
  moves: string[];
}

export interface WeeklyReporterDeps {
  registry: RepoRegistry;
  context: (store: RepoStore, actor: string) => CommandContext;
  clock: Clock;
  logger: Logger;
  defaultChannel: string | undefined;
  post: (channel: string, message: { text: string; blocks: KnownBlock[] }) => Promise<void>;
  /** Replicas: each report occurrence of a rollout is claimed once (`weekly:<repo>:<rollout>:<time>`). */
  dedupe?: Dedupe;
}

const WEEK_MS = 7 * 24 * 3600_000;

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

export class WeeklyReporter {
  readonly #deps: WeeklyReporterDeps;
  readonly #lastPosted = new Map<string, Date>();
  readonly #startedAt: Date;
  #task: ScheduledTask | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: WeeklyReporterDeps) {
    this.#deps = deps;
    this.#startedAt = deps.clock.now();
  }

  /** Posts the reports that are due; returns how many messages were posted. */
  async runOnce(): Promise<number> {
    let posted = 0;
    for (const store of await this.#deps.registry.repos()) {
      try {
        posted += await this.#repo(store);
      } catch (error) {
        this.#deps.logger.error(
          { repo: store.name, err: error instanceof Error ? error.message : String(error) },
          "weekly report failed",
        );
      }
    }
    return posted;
  }

  /** Checks every minute by default (the reports' own crons decide when they are due). */
  start(expression = "* * * * *"): void {
    this.#task = cron.schedule(
      expression,
      () => {
        this.#running = this.runOnce();
        return this.#running;
      },
      { name: "rollout-weekly-report", noOverlap: true },
    );
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    await this.#running.catch(() => undefined);
  }

  async #repo(store: RepoStore): Promise<number> {
    const now = this.#deps.clock.now();
    const repo = await loadRepo(store);
    const due = repo.rollouts.filter((rollout) => {
      if (rollout.file.state?.phase === "complete") return false;
      const cron = rollout.file.notify?.weekly_report ?? repo.settings.notify?.weekly_report;
      if (cron === undefined) return false;
      const timezone = rollout.file.notify?.timezone ?? repo.settings.notify?.timezone ?? "UTC";
      const last = this.#lastPosted.get(`${store.name}:${rollout.id}`) ?? this.#startedAt;
      return isStatusDue({ cron, timezone }, last, now);
    });
    if (due.length === 0) return 0;
    const ctx = this.#deps.context(store, "rollout-bot");
    const byChannel = new Map<string, WeeklyRow[]>();
    for (const rollout of due) {
      if (!(await this.#claim(store.name, rollout.id, repo.settings.notify, rollout.file.notify, now))) {
        this.#lastPosted.set(`${store.name}:${rollout.id}`, now); // another replica reports it
        continue;
      }
      const outcome = await runCommand(ctx, { verb: "status", rollout: { id: rollout.id } });
      const status = outcome.kind === "status" ? outcome.statuses[0] : undefined;
      const channel = status?.channel ?? this.#deps.defaultChannel;
      // Marked done even without a channel: the report is skipped, not retried every minute.
      this.#lastPosted.set(`${store.name}:${rollout.id}`, now);
      if (!status || channel === undefined) continue;
      const { entries } = await history(ctx, rollout.id);
      const moves = entries
        .filter((e) => e.audit && now.getTime() - new Date(e.date).getTime() <= WEEK_MS)
        .map((e) => `${e.audit!.action} ${e.audit!.from}% → ${e.audit!.to}%`)
        .reverse();
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), { status, moves }]);
    }
    for (const [channel, rows] of byChannel) {
      await this.#deps.post(channel, renderWeeklyReport(store.name, rows));
    }
    return byChannel.size;
  }

  /** With replicas, the first to claim this occurrence of the rollout's report posts it. */
  async #claim(
    repo: string,
    rollout: string,
    settings: { weekly_report?: string | undefined; timezone?: string | undefined } | undefined,
    file: { weekly_report?: string | undefined; timezone?: string | undefined } | undefined,
    now: Date,
  ): Promise<boolean> {
    const cron = file?.weekly_report ?? settings?.weekly_report;
    const occurrence = cron
      ? lastOccurrence({ cron, timezone: file?.timezone ?? settings?.timezone ?? "UTC" }, now)
      : undefined;
    if (!this.#deps.dedupe || !occurrence) return true;
    return this.#deps.dedupe.claim(
      `weekly:${repo}:${rollout}:${occurrence.toISOString()}`,
      8 * 24 * 3_600_000,
    );
  }
}
