import { errorMessage } from "../core/errors.ts";
import {
  changedRecently,
  type MissedDispatch,
  missedDispatch,
  runsCover,
  type WorkflowRun,
} from "../core/rollout/missed-dispatch.ts";
import type { HistoryEntry, IntentJournal } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { DISPATCH_MARK_TTL_MS, dispatchMarkKey, markDispatched } from "./dispatch-marks.ts";
import { announceRepair, MAX_DISPATCH_ATTEMPTS } from "./finish-interrupted.ts";
import type { LoadedRepo } from "./load-repo.ts";

/**
 * Git is the truth: the newest transition the bot committed for each rollout is checked against the
 * workflow runs its plan should have caused, and what is missing is dispatched once — the net under
 * the intent journal, which a single process (no Redis) loses when it dies between commit and
 * dispatch. Cheap at scale: only rollouts whose file says they changed within the hour are looked at,
 * and the verdict is remembered per version of the file, so a version costs at most one history
 * read and one runs listing per workflow, and an idle pass costs nothing.
 *
 * Exactly once: under the rollout's lease; a transition the journal still holds is the finisher's;
 * whoever dispatches marks the commit in the shared dedupe (dispatch-marks.ts), and this claims the
 * mark before dispatching; after a restart without Redis the runs GitHub lists are the record.
 */

export type ReconcileResult = "finished" | "retry_later" | "gave_up" | "unsupported";

export interface ReconcileOutcome {
  rollout: string;
  result: ReconcileResult;
  commit: string;
  detail: string;
}

type Check = Extract<MissedDispatch, { kind: "check" }>;

interface Seen {
  version: string;
  history?: HistoryEntry[];
  /** Nothing left to do for this version. */
  settled: boolean;
  attempts: number;
}

export class DispatchReconciler {
  readonly #seen = new Map<string, Seen>();

  async run(
    ctx: CommandContext,
    repo: LoadedRepo,
    options: { journal: IntentJournal; minAgeMs: number },
  ): Promise<ReconcileOutcome[]> {
    const store = ctx.store;
    // A store that cannot list runs (a checkout) cannot tell a missing dispatch from a done one.
    if (!store.dispatchRunsSince || !ctx.dedupe) return [];
    const now = ctx.clock.now();
    const candidates: {
      id: string;
      path: string;
      seen: Seen;
      file: LoadedRepo["rollouts"][number]["file"];
    }[] = [];
    for (const rollout of repo.rollouts) {
      const key = `${store.name}|${rollout.path}`;
      if (rollout.version === undefined || !changedRecently(rollout.file, now)) {
        this.#seen.delete(key);
        continue;
      }
      let seen = this.#seen.get(key);
      if (seen?.version !== rollout.version) {
        seen = { version: rollout.version, settled: false, attempts: 0 };
        this.#seen.set(key, seen);
      }
      if (!seen.settled) candidates.push({ id: rollout.id, path: rollout.path, seen, file: rollout.file });
    }
    if (candidates.length === 0) return [];
    const journaled = new Set((await options.journal.list(store.name)).map((i) => i.rollout));
    const checks: { id: string; seen: Seen; check: Check }[] = [];
    for (const c of candidates) {
      // The journal's finisher owns a transition it still holds.
      if (journaled.has(c.id)) continue;
      c.seen.history ??= await store.history(c.path);
      const decision = missedDispatch({
        rollout: c.id,
        file: c.file,
        history: c.seen.history,
        now,
        minAgeMs: options.minAgeMs,
      });
      if (decision.kind === "none") c.seen.settled = true;
      if (decision.kind === "check") checks.push({ id: c.id, seen: c.seen, check: decision });
    }
    if (checks.length === 0) return [];
    const runs = await this.#runs(ctx, checks);
    const commits = new Set(checks.map((c) => c.check.commit));
    const outcomes: ReconcileOutcome[] = [];
    for (const { id, seen, check } of checks) {
      const others = new Set([...commits].filter((c) => c !== check.commit));
      const missing = check.dispatches.filter((d) => !runsCover(check, runs.get(d.workflow) ?? [], others));
      if (missing.length === 0) {
        seen.settled = true;
        await markDispatched(ctx.dedupe, store.name, id, check.commit);
        continue;
      }
      try {
        const outcome = await ctx.lease(id, () =>
          this.#finish(ctx, options.journal, id, seen, check, missing),
        );
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        ctx.logger.error(
          { rollout: id, err: errorMessage(error) },
          "cannot reconcile a transition's dispatch",
        );
      }
    }
    return outcomes;
  }

  /** One listing per workflow, since the oldest transition that dispatches it. */
  async #runs(ctx: CommandContext, checks: { check: Check }[]): Promise<Map<string, WorkflowRun[]>> {
    const since = new Map<string, string>();
    for (const { check } of checks) {
      for (const d of check.dispatches) {
        const earlier = since.get(d.workflow);
        if (earlier === undefined || Date.parse(check.date) < Date.parse(earlier))
          since.set(d.workflow, check.date);
      }
    }
    const runs = new Map<string, WorkflowRun[]>();
    for (const [workflow, date] of since)
      runs.set(workflow, (await ctx.store.dispatchRunsSince?.(workflow, date)) ?? []);
    return runs;
  }

  async #finish(
    ctx: CommandContext,
    journal: IntentJournal,
    id: string,
    seen: Seen,
    check: Check,
    missing: Check["dispatches"],
  ): Promise<ReconcileOutcome | undefined> {
    const store = ctx.store;
    const { record, commit } = check;
    const base = { rollout: id, commit };
    const log = ctx.logger.child({ rollout: id, commit, action: record.action });
    // Re-checked under the lease: a live transition may have journaled meanwhile.
    if ((await journal.list(store.name)).some((i) => i.rollout === id)) return undefined;
    const mark = dispatchMarkKey(store.name, id, commit);
    if (!(await ctx.dedupe!.claim(mark, DISPATCH_MARK_TTL_MS))) {
      seen.settled = true;
      return undefined;
    }
    const what = `${record.action} of ${id} ${record.from}% → ${record.to}%`;
    const workflows = missing.map((d) => d.workflow).join(", ");
    const urgent = record.action === "rollback";
    const failures: string[] = [];
    let unsupported = false;
    for (const dispatch of missing) {
      try {
        const outcome = await store.dispatchWorkflow(dispatch, { urgent });
        if (outcome.unsupported) unsupported = true;
        else if (!outcome.dispatched)
          failures.push(`${dispatch.workflow}: ${outcome.detail ?? "not dispatched"}`);
      } catch (error) {
        failures.push(`${dispatch.workflow}: ${errorMessage(error)}`);
      }
    }
    if (unsupported) {
      // Nothing was dispatched, so nothing is claimed to be finished.
      seen.settled = true;
      return { ...base, result: "unsupported", detail: `this repository cannot dispatch ${workflows}` };
    }
    if (failures.length === 0) {
      seen.settled = true;
      const detail = `finished the interrupted ${what}: dispatched ${workflows} for commit ${commit.slice(0, 7)} (committed without its dispatch)`;
      log.warn({ workflows }, "missing dispatch found in Git and finished");
      await announceRepair(ctx, id, `🔧 ${detail}`);
      return { ...base, result: "finished", detail };
    }
    await ctx.dedupe!.release(mark);
    seen.attempts += 1;
    if (seen.attempts >= MAX_DISPATCH_ATTEMPTS) {
      seen.settled = true;
      const detail = `gave up dispatching ${workflows} for the ${what} (commit ${commit.slice(0, 7)}) after ${seen.attempts} attempts (${failures.join("; ")}): run it by hand`;
      log.error({ failures }, "missing dispatch: given up");
      await announceRepair(ctx, id, `🚨 ${detail}`);
      return { ...base, result: "gave_up", detail };
    }
    log.error({ failures, attempts: seen.attempts }, "missing dispatch failed; retried next pass");
    return { ...base, result: "retry_later", detail: failures.join("; ") };
  }
}
