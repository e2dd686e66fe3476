import type { Dedupe } from "../ports.ts";

/**
 * "This commit's dispatch went out", in the coordination's dedupe (memory, or Redis across replicas):
 * whoever dispatches a transition marks it, and the reconcile claims the same key before it dispatches,
 * so a run GitHub has not listed yet is never dispatched a second time. Kept longer than the
 * reconcile looks back.
 */
export const DISPATCH_MARK_TTL_MS = 24 * 3_600_000;

export function dispatchMarkKey(repo: string, rollout: string, commit: string): string {
  return `dispatched:${repo.toLowerCase()}:${rollout}:${commit}`;
}

export async function markDispatched(
  dedupe: Dedupe | undefined,
  repo: string,
  rollout: string,
  commit: string | undefined,
): Promise<void> {
  if (!dedupe || commit === undefined) return;
  await dedupe.keep(dispatchMarkKey(repo, rollout, commit), DISPATCH_MARK_TTL_MS);
}
