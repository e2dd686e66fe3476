import { type AuditRecord, parseCommitMessage } from "../core/messages/commit-message.ts";
import type { CommandContext } from "./context.ts";
import { findRollout, loadRepo } from "./load-repo.ts";

/** The audit trail of one rollout, read from the history of its file: bot commits and human edits alike. */

export interface HistoryRow {
  commit: string;
  date: string;
  author: string;
  subject: string;
  /** Present when the commit carries the bot's audit trailers. */
  audit?: AuditRecord;
}

export async function history(
  ctx: CommandContext,
  id: string,
): Promise<{ rollout: string; entries: HistoryRow[] }> {
  const repo = await loadRepo(ctx.store);
  const rollout = findRollout(repo, id);
  const entries = await ctx.store.history(rollout.path);
  return {
    rollout: rollout.id,
    entries: entries.map((entry) => {
      const row: HistoryRow = {
        commit: entry.commit,
        date: entry.date,
        author: entry.author,
        subject: entry.message.split("\n", 1)[0] ?? "",
      };
      const audit = parseCommitMessage(entry.message, rollout.id);
      if (audit && audit.rollout === rollout.id) row.audit = audit;
      return row;
    }),
  };
}
