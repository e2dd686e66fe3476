import type { FlagEntry, RolloutFile, TypedValue } from "../config/schema.ts";
import { type SyncEvent, syncValue } from "../config/sync-value.ts";

/**
 * What a rollout's change means for the flag services it names: one FlagWrite per `flags:` entry
 * that has something to write for this change. Pure; the same function gives the desired state of
 * every flag from the file alone (the file is the truth), so a reconcile pass re-derives it.
 */

export interface FlagWrite {
  /** The operator's target name (FLAG_TARGETS). */
  target: string;
  flag: string;
  environment?: string | undefined;
  project?: string | undefined;
  /**
   * `percent`: a gradual-rollout percentage (Unleash, LaunchDarkly weights); `value`: a typed value
   * written as is (Edge Config items, Flagsmith values, HTTP bodies).
   */
  kind: "percent" | "value";
  value: TypedValue;
}

export function flagWrites(file: RolloutFile, percent: number, event: SyncEvent): FlagWrite[] {
  const writes: FlagWrite[] = [];
  for (const entry of file.flags) {
    const value = syncValue({ file: "", key: "", value: entry.value }, percent, event);
    if (value === undefined) continue;
    writes.push({
      target: entry.target,
      flag: entry.flag,
      environment: entry.environment,
      project: entry.project,
      kind: entry.value === "percent" ? "percent" : "value",
      value,
    });
  }
  return writes;
}

/** Which event the file's state stands for: a rolled-back rollout keeps its rollback values. */
export function stateEvent(file: RolloutFile): SyncEvent {
  return file.state?.phase === "rolled_back" ? "rollback" : "advance";
}

/** The flag writes the file's current state implies: what every service should hold now. */
export function desiredFlagWrites(file: RolloutFile): FlagWrite[] {
  return flagWrites(file, file.state?.percent ?? 0, stateEvent(file));
}

/** A stable key of one flag in one service, for ledgers and reports. */
export function flagWriteKey(write: Pick<FlagWrite, "target" | "flag" | "environment" | "project">): string {
  return [write.target, write.project ?? "", write.environment ?? "", write.flag].join("/");
}

export type { FlagEntry };
