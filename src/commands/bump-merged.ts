import { parseRolloutFile } from "../core/config/rollout-file.ts";
import { renderStateEdit } from "../core/config/yaml-edit.ts";
import { errorMessage } from "../core/errors.ts";
import { GATE_CHECK, parseBranch, renderBranch } from "../core/messages/bump-pr.ts";
import { renderCommitMessage } from "../core/messages/commit-message.ts";
import type { PullRequest, RepoStore } from "../ports.ts";
import { ownBumpPull } from "./bump-pull.ts";
import { loadRepo } from "./load-repo.ts";
import type { Services } from "./services.ts";
import { startStage } from "./start-stage.ts";

/**
 * A PR from a `rollout/<id>` branch merged. Git is the truth: if the merge changed the rollout's
 * percentage, the new stage starts (on-change dispatch, announcement). Only the bot's own bump PR is
 * announced as the planned next stage; any other (a person's PR on that branch, a fork's) is announced
 * for what it is — a change that never went through the bot's gate. The branch is deleted when it is
 * the bot's.
 */

export interface MergedPull extends PullRequest {
  mergedBy: string;
  mergeCommit: string;
}

async function percentAt(store: RepoStore, path: string, ref: string): Promise<number | undefined> {
  const file = await store.readFile(path, ref);
  if (!file) return undefined;
  const parsed = parseRolloutFile(path, file.text);
  return parsed.ok ? (parsed.value.file.state?.percent ?? 0) : undefined;
}

export async function bumpMerged(services: Services, store: RepoStore, pull: MergedPull) {
  const branch = parseBranch(pull.headRef);
  if (!branch) return undefined;
  const repo = await loadRepo(store);
  const rollout = repo.rollouts.find((r) => r.id === branch.rollout);
  if (!rollout) return undefined;
  const ownership = await ownBumpPull(store, repo, pull);
  // What the merge did to the file: its newest change is the merge itself (squash) or one of the PR's
  // own commits (a merge commit); the change before that is where it came "from".
  const [history, prCommits] = await Promise.all([
    store.history(rollout.path),
    store.pulls?.commits(pull.number) ?? [],
  ]);
  const ownShas = new Set([pull.mergeCommit, ...prCommits.map((c) => c.sha)]);
  const latest = history.findIndex((e) => !ownShas.has(e.commit));
  const touched = history[0] !== undefined && ownShas.has(history[0].commit);
  const to = rollout.file.state?.percent ?? 0;
  const before = latest >= 0 ? history[latest] : undefined;
  const from = touched && before ? await percentAt(store, rollout.path, before.commit) : undefined;
  if (ownership.ours) await store.pulls?.deleteBranch(renderBranch(branch.rollout, branch.urgent));
  else
    services.logger.warn(
      { pr: pull.number, why: ownership.why },
      "a rollout branch merged that is not the bot's bump PR",
    );
  if (!touched || from === undefined || from === to) return undefined;
  // Git is the truth, so a merge with the gate closed still happens — but never quietly.
  const gate =
    ownership.ours && !ownership.urgent
      ? await store.pulls?.latestCheck(pull.headSha, GATE_CHECK)
      : undefined;
  const override = ownership.ours && !ownership.urgent && gate?.conclusion !== "success";
  const failing = gate?.title.replace(/^gate closed: /, "") ?? "the gate was never checked";
  const started = await startStage(services, store, {
    rollout: rollout.id,
    from,
    to,
    commit: pull.mergeCommit,
    actor: pull.mergedBy,
    // An urgent rollback PR's workflow ran when the rollback happened; merging it only records it.
    recordOnly: ownership.ours && ownership.urgent,
    headline: (view) =>
      !ownership.ours
        ? `⚠️ ${rollout.id}: ${from}% → ${to}% by PR #${pull.number}, merged by ${pull.mergedBy} — not a bump PR of rollout-bot's (${ownership.why}): no gate checked it`
        : ownership.urgent
          ? `${rollout.id}: urgent rollback PR #${pull.number} merged — Git now records ${to}%`
          : override
            ? `🚨 override: ${rollout.id} ${from}% → ${to}% — PR #${pull.number} merged by ${pull.mergedBy} while the gate was closed (${failing})`
            : `${rollout.id}: stage ${view.stage}/${view.stageCount} started at ${to}% (PR #${pull.number} merged by ${pull.mergedBy})`,
  });
  if (override)
    await recordOverride(services, store, rollout.id, {
      from,
      to,
      by: pull.mergedBy,
      pr: pull.number,
      failing,
    });
  return started;
}

/**
 * Writes the override into the rollout's own history: a commit that records it in `state.reason`,
 * with audit trailers (`Rollout-Action: override`), so `rollout history` shows who merged past
 * which gate items. A branch that refuses the commit leaves only the (loud) announcement.
 */
async function recordOverride(
  services: Services,
  store: RepoStore,
  id: string,
  o: { from: number; to: number; by: string; pr: number; failing: string },
): Promise<void> {
  const repo = await loadRepo(store);
  const rollout = repo.rollouts.find((r) => r.id === id);
  if (!rollout?.file.state) return;
  const reason = `override: PR #${o.pr} merged by ${o.by} while the gate was closed (${o.failing})`;
  const text = renderStateEdit(rollout.text, { ...rollout.file.state, reason });
  const message = renderCommitMessage({
    rollout: id,
    action: "override",
    from: o.from,
    to: o.to,
    actor: o.by,
    reason,
    evidence: [`FAIL gate: ${o.failing}`],
  });
  await store
    .commit({ files: [{ path: rollout.path, text, baseVersion: rollout.version }], message })
    .catch((error: unknown) =>
      services.logger.warn({ rollout: id, err: errorMessage(error) }, "could not record the override in Git"),
    );
}
