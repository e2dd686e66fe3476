import type { WeeklyRow } from "../core/messages/weekly-report.ts";
import { isStatusDue, lastOccurrence, type StatusSchedule } from "../core/rollout/status-schedule.ts";
import type { CommandContext } from "./context.ts";
import { statusNow } from "./evaluate.ts";
import { history } from "./history.ts";
import type { LoadedRepo } from "./load-repo.ts";

/**
 * The weekly reports of one repository that are due, as part of the evaluation pass: each rollout's
 * `notify.weekly_report` (in the rollout file or the settings, in their time zone), grouped per channel,
 * each occurrence claimed once across replicas.
 */

const WEEK_MS = 7 * 24 * 3600_000;
const CLAIM_TTL_MS = 8 * 24 * 3_600_000;

export interface WeeklyState {
  /** When each `repo:rollout`'s report was last posted (or skipped) by this process. */
  lastPosted: Map<string, Date>;
  startedAt: Date;
  /** Replicas: each occurrence is claimed once. */
  claim: (key: string, ttlMs: number) => Promise<boolean>;
  defaultChannel: string | undefined;
}

function scheduleOf(repo: LoadedRepo, rollout: LoadedRepo["rollouts"][number]): StatusSchedule | undefined {
  const cron = rollout.file.notify?.weekly_report ?? repo.settings.notify?.weekly_report;
  if (cron === undefined) return undefined;
  return { cron, timezone: rollout.file.notify?.timezone ?? repo.settings.notify?.timezone ?? "UTC" };
}

/** Posts the reports that are due; returns how many messages were posted. */
export async function postWeeklyReports(
  ctx: CommandContext,
  repo: LoadedRepo,
  state: WeeklyState,
): Promise<number> {
  const postReport = ctx.notifier.postReport?.bind(ctx.notifier);
  if (!postReport) return 0;
  const now = ctx.clock.now();
  const key = (id: string) => `${repo.name}:${id}`;
  const byChannel = new Map<string, WeeklyRow[]>();
  for (const rollout of repo.rollouts) {
    if (rollout.file.state?.phase === "complete") continue;
    const schedule = scheduleOf(repo, rollout);
    if (!schedule || !isStatusDue(schedule, state.lastPosted.get(key(rollout.id)) ?? state.startedAt, now))
      continue;
    // Marked done whatever happens next: a report is skipped, not retried every minute.
    state.lastPosted.set(key(rollout.id), now);
    const occurrence = lastOccurrence(schedule, now);
    if (
      occurrence &&
      !(await state.claim(`weekly:${key(rollout.id)}:${occurrence.toISOString()}`, CLAIM_TTL_MS))
    )
      continue; // another replica reports it
    const { status } = await statusNow(ctx, rollout, repo.settings);
    const channel = status.channel ?? state.defaultChannel;
    if (channel === undefined) continue;
    const { entries } = await history(ctx, rollout.id);
    const moves = entries
      .filter((e) => e.audit && now.getTime() - new Date(e.date).getTime() <= WEEK_MS)
      .map((e) => `${e.audit!.action} ${e.audit!.from}% → ${e.audit!.to}%`)
      .reverse();
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), { status, moves }]);
  }
  for (const [channel, rows] of byChannel) await postReport({ repo: repo.name, channel, rows });
  return byChannel.size;
}
