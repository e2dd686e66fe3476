import { errorMessage } from "../core/errors.ts";
import { parseCommitMessage } from "../core/messages/commit-message.ts";
import type { HistoryEntry, Intent, IntentJournal, Lock } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { markDispatched } from "./dispatch-marks.ts";
import { statusNow } from "./evaluate.ts";
import { loadRepo } from "./load-repo.ts";
import { DEFAULT_LEASE_TTL_MS, leaseKey } from "./services.ts";

/**
 * Finds transitions a process left half done — committed, not dispatched — and finishes them, or
 * says loudly that it cannot. Run by every evaluation (any replica) and by the alert inbox before it
 * acts. An intent younger than `minAgeMs` may belong to a live process and is left alone.
 *
 *   committing  → did the commit land? (the file's newest commit carries the same audit trailers)
 *                 no: nothing changed, the intent is dropped and reported; yes: as below
 *   dispatching → the process died during the dispatch: a `workflow_dispatch` run on the commit means
 *                 the dispatch reached GitHub (dropped); none means it did not (dispatched now)
 *   committed   → the dispatch failed earlier: dispatched now (given up after MAX_ATTEMPTS)
 *
 * A store that answers `unsupported` (a local checkout) never dispatches: its intent is forgotten at
 * once and said for what it is, never retried nor reported as finished.
 */

export type InterruptedResult =
  | "finished"
  | "already_dispatched"
  | "not_committed"
  /** The store cannot dispatch at all (a local checkout): the change is in Git, nothing to finish. */
  | "not_dispatchable"
  | "unknown"
  | "retry_later";

export interface InterruptedOutcome {
  rollout: string;
  result: InterruptedResult;
  detail: string;
  commit?: string | undefined;
}

export const MAX_DISPATCH_ATTEMPTS = 5;

async function landed(ctx: CommandContext, intent: Intent): Promise<HistoryEntry | undefined> {
  const history = await ctx.store.history(intent.path);
  if (intent.commit) return history.find((e) => e.commit === intent.commit);
  const newest = history[0];
  const record = newest ? parseCommitMessage(newest.message, intent.rollout) : undefined;
  return record &&
    record.rollout === intent.rollout &&
    record.action === intent.action &&
    record.from === intent.from &&
    record.to === intent.to
    ? newest
    : undefined;
}

async function announce(ctx: CommandContext, intent: Intent, headline: string): Promise<void> {
  await announceRepair(ctx, intent.rollout, headline);
}

/** Posts a rollout's status with a headline saying what was repaired (or could not be); never throws. */
export async function announceRepair(ctx: CommandContext, id: string, headline: string): Promise<void> {
  try {
    const repo = await loadRepo(ctx.store);
    const rollout = repo.rollouts.find((r) => r.id === id);
    if (!rollout) return;
    const { status: message } = await statusNow(ctx, rollout, repo.settings, { event: "alert", headline });
    await ctx.notifier.post(message);
  } catch (error) {
    ctx.logger.warn({ rollout: id, err: String(error) }, "could not announce a half-done transition");
  }
}

async function finishOne(
  ctx: CommandContext,
  journal: IntentJournal,
  intent: Intent,
): Promise<InterruptedOutcome> {
  const log = ctx.logger.child({ rollout: intent.rollout, intent: intent.id, stage: intent.stage });
  const what = `${intent.action} of ${intent.rollout} ${intent.from}% → ${intent.to}%`;
  const base = { rollout: intent.rollout, commit: intent.commit };
  // A stage start's commit (a merge, a push) was seen in Git when it was journaled.
  const entry =
    intent.action === "start" && intent.commit ? { commit: intent.commit } : await landed(ctx, intent);
  if (!entry) {
    if (intent.stage === "committing") {
      await journal.clear(intent.repo, intent.rollout, intent.id);
      const detail = `the ${what} was interrupted before its commit landed: nothing changed; the next alert or evaluation decides again`;
      log.warn({}, "interrupted transition never committed");
      await announce(ctx, intent, `⚠️ ${detail}`);
      return { ...base, result: "not_committed", detail };
    }
    const detail = `the ${what} recorded commit ${intent.commit ?? "?"} but it is not in the history of ${intent.path}: check its workflows by hand`;
    await journal.clear(intent.repo, intent.rollout, intent.id);
    log.error({}, "interrupted transition: commit not found");
    await announce(ctx, intent, `🚨 ${detail}`);
    return { ...base, result: "unknown", detail };
  }
  const commit = entry.commit;
  if (intent.stage !== "committed") {
    // The process may have sent the dispatch before it died: GitHub knows whether a run started.
    if (!ctx.store.dispatchedRuns) {
      await journal.clear(intent.repo, intent.rollout, intent.id);
      const detail = `the ${what} (commit ${commit.slice(0, 7)}) was interrupted around its workflow dispatch, and this repository cannot tell whether it ran: check ${intent.dispatches.map((d) => d.workflow).join(", ")}`;
      log.error({ commit }, "interrupted dispatch: outcome unknown");
      await announce(ctx, intent, `🚨 ${detail}`);
      return { ...base, commit, result: "unknown", detail };
    }
    let runs = 0;
    for (const d of intent.dispatches) runs += await ctx.store.dispatchedRuns(d.workflow, commit);
    if (runs > 0) {
      // Runs do not show their inputs: a run on this commit means it was probably ours. Never twice.
      await markDispatched(ctx.dedupe, intent.repo, intent.rollout, commit);
      await journal.clear(intent.repo, intent.rollout, intent.id);
      const detail = `the ${what} (commit ${commit.slice(0, 7)}) was interrupted around its dispatch; ${runs} run(s) of ${intent.dispatches.map((d) => d.workflow).join(", ")} exist on that commit, so it is not dispatched again: check that one is for ${intent.rollout}`;
      log.warn({ commit, runs }, "interrupted transition had probably dispatched");
      await announce(ctx, intent, `⚠️ ${detail}`);
      return { ...base, commit, result: "already_dispatched", detail };
    }
  }
  if (
    !(await journal.advance(intent.repo, intent.rollout, intent.id, [intent.stage], "dispatching", {
      commit,
      at: ctx.clock.now().toISOString(),
    }))
  )
    return { ...base, commit, result: "retry_later", detail: "taken by another process" };
  const failures: string[] = [];
  const unsupported: string[] = [];
  for (const dispatch of intent.dispatches) {
    try {
      // "Did not throw" is not "dispatched": a store may answer that it did not (or cannot).
      const outcome = await ctx.store.dispatchWorkflow(dispatch);
      const why = `${dispatch.workflow} was not dispatched: ${outcome.detail ?? "not dispatched"}`;
      if (outcome.unsupported) unsupported.push(why);
      else if (!outcome.dispatched)
        failures.push(`${dispatch.workflow}: ${outcome.detail ?? "not dispatched"}`);
    } catch (error) {
      failures.push(`${dispatch.workflow}: ${errorMessage(error)}`);
    }
  }
  const workflows = intent.dispatches.map((d) => d.workflow).join(", ");
  if (failures.length === 0 && unsupported.length > 0) {
    await journal.clear(intent.repo, intent.rollout, intent.id);
    const detail = `the interrupted ${what} is in Git (commit ${commit.slice(0, 7)}); ${unsupported.join("; ")}`;
    log.warn({ commit }, "interrupted transition on a store that cannot dispatch: forgotten");
    await announce(ctx, intent, `⚠️ ${detail}`);
    return { ...base, commit, result: "not_dispatchable", detail };
  }
  if (failures.length === 0) {
    await markDispatched(ctx.dedupe, intent.repo, intent.rollout, commit);
    await journal.clear(intent.repo, intent.rollout, intent.id);
    const detail = `finished the interrupted ${what}: dispatched ${workflows} for commit ${commit.slice(0, 7)}`;
    log.warn({ commit }, "interrupted transition finished");
    await announce(ctx, intent, `🔧 ${detail}`);
    return { ...base, commit, result: "finished", detail };
  }
  const attempts = intent.attempts + 1;
  if (attempts >= MAX_DISPATCH_ATTEMPTS) {
    await journal.clear(intent.repo, intent.rollout, intent.id);
    const detail = `gave up dispatching ${workflows} for the ${what} after ${attempts} attempts (${failures.join("; ")}): run it by hand`;
    log.error({ commit }, "interrupted transition: dispatch given up");
    await announce(ctx, intent, `🚨 ${detail}`);
    return { ...base, commit, result: "unknown", detail };
  }
  await journal.advance(intent.repo, intent.rollout, intent.id, ["dispatching"], "committed", {
    attempts,
    at: ctx.clock.now().toISOString(),
  });
  log.error(
    { commit, attempts, failures },
    "interrupted transition: dispatch failed; retried next evaluation",
  );
  return { ...base, commit, result: "retry_later", detail: failures.join("; ") };
}

/**
 * Every half-done transition of the context's repository (or of one rollout), each under the
 * rollout's lease when a lock is given (callers already holding it pass none).
 */
export async function finishInterrupted(
  ctx: CommandContext,
  journal: IntentJournal,
  options: { minAgeMs: number; only?: string; lock?: Lock; leaseTtlMs?: number },
): Promise<InterruptedOutcome[]> {
  const outcomes: InterruptedOutcome[] = [];
  const fresh = (intent: Intent) => ctx.clock.now().getTime() - Date.parse(intent.at) < options.minAgeMs;
  for (const listed of await journal.list(ctx.store.name)) {
    if ((options.only !== undefined && listed.rollout !== options.only) || fresh(listed)) continue;
    const run = async () => {
      // Re-read under the lease: the holder may have finished it meanwhile.
      const intent = (await journal.list(ctx.store.name)).find((i) => i.id === listed.id);
      return intent && !fresh(intent) ? finishOne(ctx, journal, intent) : undefined;
    };
    try {
      const outcome = options.lock
        ? await options.lock.withLease(
            leaseKey(ctx.store.name, listed.rollout),
            options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
            run,
          )
        : await run();
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      ctx.logger.error(
        { rollout: listed.rollout, err: errorMessage(error) },
        "cannot finish an interrupted transition",
      );
    }
  }
  return outcomes;
}
