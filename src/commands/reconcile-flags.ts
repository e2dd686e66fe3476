import { parseRolloutFile, type Rollout } from "../core/config/rollout-file.ts";
import type { TypedValue } from "../core/config/schema.ts";
import type { FlagTargetReport } from "../core/flags/flag-report.ts";
import { desiredFlagWrites, type FlagWrite, flagWriteKey, stateEvent } from "../core/flags/flag-writes.ts";
import type { Plan } from "../core/rollout/plan.ts";
import type { FlagLedger, FlagService, FlagServiceRegistry, FlagWriteContext, Logger } from "../ports.ts";

/**
 * Brings every flag service a rollout names to what its file says (the file is the truth): reads
 * each flag, writes the ones that differ, reads them back, and reports each as ok, drifted or
 * failed. Idempotent, so the same call after a transition's commit and on every scheduler pass
 * re-applies whatever drifted or failed before. Write-only services (generic HTTP) are compared
 * with what the ledger remembers sending.
 */

export interface ReconcileFlagsInput {
  /** `owner/name`: picks the targets this repository may use. */
  repo: string;
  /** The rollout as the RepoStore loaded it (after the change, when called after a commit). */
  rollout: Rollout;
  services: FlagServiceRegistry;
  /** What was sent to write-only services; default: remembered in this process only. */
  ledger?: FlagLedger;
  /** `check` reads and compares only (status, dry run); `apply` (default) also writes. */
  mode?: "apply" | "check";
  logger?: Logger;
}

const processLedger = memoryFlagLedger();

export async function reconcileFlags(input: ReconcileFlagsInput): Promise<FlagTargetReport[]> {
  const { file } = input.rollout;
  const context: FlagWriteContext = {
    repo: input.repo,
    rollout: input.rollout.id,
    event: stateEvent(file),
    percent: file.state?.percent ?? 0,
  };
  const writes = desiredFlagWrites(file);
  return Promise.all(writes.map((write) => reconcileOne(input, write, context)));
}

async function reconcileOne(
  input: ReconcileFlagsInput,
  write: FlagWrite,
  context: FlagWriteContext,
): Promise<FlagTargetReport> {
  const base = {
    target: write.target,
    flag: write.flag,
    environment: write.environment,
    desired: write.value,
  };
  const resolved = input.services.forRepo(input.repo, write.target);
  if ("error" in resolved) return { ...base, state: "failed", changed: false, detail: resolved.error };
  const service: FlagService = resolved;
  const ref = { flag: write.flag, environment: write.environment, project: write.project };
  const apply = (input.mode ?? "apply") === "apply";
  try {
    if (!service.read) {
      const ledger = input.ledger ?? processLedger;
      const key = `${input.repo}:${input.rollout.id}:${flagWriteKey(write)}`;
      const sent = JSON.stringify(write.value);
      if ((await ledger.get(key)) === sent) return { ...base, state: "ok", changed: false };
      if (!apply) return { ...base, state: "drifted", changed: false, detail: "not sent yet" };
      await service.write(ref, write.kind, write.value, context);
      await ledger.set(key, sent);
      return { ...base, state: "ok", changed: true };
    }
    const observed = await service.read(ref, write.kind);
    if (same(observed, write.value)) return { ...base, observed, state: "ok", changed: false };
    if (!apply) return { ...base, observed, state: "drifted", changed: false };
    await service.write(ref, write.kind, write.value, context);
    const after = await service.read(ref, write.kind);
    if (!same(after, write.value)) {
      return {
        ...base,
        observed: after,
        state: "drifted",
        changed: true,
        detail: "written, but reads back different",
      };
    }
    input.logger?.info(
      { target: write.target, flag: write.flag, from: observed, to: write.value },
      "flag written",
    );
    return { ...base, observed, state: "ok", changed: true };
  } catch (error) {
    const known = (error as { code?: string }).code === "flag_service";
    if (!known)
      input.logger?.error({ target: write.target, flag: write.flag, err: error }, "flag reconcile failed");
    const detail = known ? (error as Error).message : `${write.target}: unexpected error (see the bot's log)`;
    return { ...base, state: "failed", changed: false, detail };
  }
}

function same(observed: TypedValue | undefined, desired: TypedValue): boolean {
  if (typeof observed === "number" && typeof desired === "number") return Math.abs(observed - desired) < 1e-9;
  return observed === desired;
}

export function memoryFlagLedger(): FlagLedger {
  const sent = new Map<string, string>();
  return {
    get: async (key) => sent.get(key),
    set: async (key, value) => {
      sent.set(key, value);
    },
  };
}

/**
 * After a plan's commit: the flags the committed file now implies (the plan's rollout file text as
 * committed). The call the command path makes once `store.commit` succeeded.
 */
export async function reconcilePlannedFlags(
  input: Omit<ReconcileFlagsInput, "rollout"> & { plan: Plan },
): Promise<FlagTargetReport[]> {
  const { plan, ...rest } = input;
  const committed = plan.edits.find((edit) => edit.path === plan.path)?.after;
  if (committed === undefined) return [];
  const parsed = parseRolloutFile(plan.path, committed);
  if (!parsed.ok || parsed.value.file.flags.length === 0) return [];
  return reconcileFlags({ ...rest, rollout: parsed.value });
}
