import type { Rollout } from "../config/rollout-file.ts";
import type { Settings } from "../config/settings-schema.ts";
import { renderBody, renderBranch, renderTitle } from "../messages/bump-pr.ts";
import { buildStatusMessage, type StatusEvent, type StatusMessage } from "../messages/status-message.ts";
import type { Gate } from "./gate.ts";
import type { HealthReport } from "./health.ts";
import { type Action, buildPlan, type Plan } from "./plan.ts";
import { type StageView, viewState } from "./stage-view.ts";
import { applyTransition, type Transition } from "./transition.ts";

/**
 * Every mutating command decided in one pure step: the state machine's verdict, then the plan — the
 * edits, the commit message, the dispatches, and how the change is delivered (a commit, or a bump PR
 * on a host with pull requests; a rollback's urgent PR if the branch refuses the commit). `--dry-run`
 * prints this; `applyPlan` carries it out.
 */

export interface ProposalDraft {
  branch: string;
  title: string;
  body: string;
  labels: string[];
}

export type Delivery =
  | {
      kind: "commit";
      /** Where the change goes if branch protection refuses the commit (rollbacks on a host with PRs). */
      fallback?: ProposalDraft & { notice: string };
      /** The bump PR a rollback makes obsolete. */
      closeBump?: { branch: string; comment: string };
    }
  | { kind: "propose"; proposal: ProposalDraft };

export interface MutationRequest {
  action: Action;
  event: StatusEvent;
  reason?: string | undefined;
  forced?: boolean;
  transition: Transition;
}

export interface MutationInput {
  repo: string;
  rollout: Rollout;
  /** The rollout file's version (blob sha) the decision is computed from: the commit's compare-and-swap. */
  version?: string | undefined;
  settings: Settings;
  evaluation: { view: StageView; health: HealthReport; gate: Gate };
  request: MutationRequest;
  actor: string;
  now: Date;
  /** The host has pull requests: an advance proposes, a refused rollback commit falls back to an urgent PR. */
  pullRequests: boolean;
  /** The default branch does not require the gate check (false when unknown): the bump PR says so. */
  gateNotRequired?: boolean | undefined;
  syncFiles: ReadonlyMap<string, { text: string; version?: string | undefined }>;
}

export type MutationDecision =
  | { kind: "refused"; message: string; reasons: string[]; status: StatusMessage }
  | { kind: "invalid"; message: string; details: string[] }
  | { kind: "planned"; plan: Plan; delivery: Delivery; status: StatusMessage };

const URGENT_NOTICE =
  "Branch protection refused the rollback commit. Merge this pull request to record the rollback in Git; the rollback workflow has been dispatched already.";

function headlineOf(plan: Plan, rolloutPath: string): string {
  return plan.action === "complete"
    ? `${plan.summary} — rollout finished: remove the flag and the old code path, then archive ${rolloutPath}`
    : `${plan.summary}${plan.reason ? ` — ${plan.reason}` : ""}`;
}

export function decideMutation(input: MutationInput): MutationDecision {
  const { rollout, settings, evaluation, request, now } = input;
  const result = applyTransition(rollout.file, settings, request.transition, now);
  const statusOf = (
    file: typeof rollout.file,
    view: StageView,
    extra: Partial<Parameters<typeof buildStatusMessage>[0]>,
  ) =>
    buildStatusMessage({
      id: rollout.id,
      repo: input.repo,
      path: rollout.path,
      file,
      view,
      health: evaluation.health,
      now,
      ...extra,
    });
  if (!result.ok) {
    return {
      kind: "refused",
      ...result.refusal,
      status: statusOf(rollout.file, evaluation.view, { gate: evaluation.gate }),
    };
  }
  // A bump PR carries no start time: the stage starts when the change reaches the default branch.
  const proposing = request.action === "advance" && input.pullRequests;
  const effective = proposing ? { ...result, to: { ...result.to } } : result;
  if (proposing) delete effective.to.started_at;
  const gated = request.action === "advance" || request.action === "complete";
  const planned = buildPlan({
    rollout,
    action: request.action,
    result: effective,
    actor: input.actor,
    reason: request.reason,
    forced: request.forced ?? false,
    health: evaluation.health,
    gate: gated ? evaluation.gate : undefined,
    baseVersion: input.version,
    syncFiles: input.syncFiles,
  });
  if (!planned.ok) return { kind: "invalid", message: planned.message, details: planned.details };
  const plan = planned.plan;
  const marker = { v: 1 as const, rollout: rollout.id, from: plan.from.percent, to: plan.to.percent };
  const body = (notice?: string) =>
    renderBody({
      marker: notice ? { ...marker, urgent: true } : marker,
      file: rollout.file,
      path: rollout.path,
      health: evaluation.health,
      gate: evaluation.gate,
      requiredApprovals:
        evaluation.gate.requiredApprovals ??
        evaluation.view.next?.stage.approvals ??
        settings.defaults.approvals,
      ...(notice ? { notice } : {}),
      ...(input.gateNotRequired && !notice ? { gateNotRequired: true } : {}),
    });
  if (proposing) {
    // A proposal is shown as one: the rollout stays where it is until the PR merges.
    const status = statusOf(rollout.file, evaluation.view, {
      gate: evaluation.gate,
      event: "stage_passed",
      headline: `${rollout.id}: ready for ${plan.to.percent}% — approve and merge the bump PR`,
      proposed: { percent: plan.to.percent },
    });
    const proposal = {
      branch: renderBranch(rollout.id),
      title: renderTitle(marker),
      body: body(),
      labels: ["rollout"],
    };
    return { kind: "planned", plan, delivery: { kind: "propose", proposal }, status };
  }
  const after = { ...rollout.file, state: plan.to };
  const status = statusOf(after, viewState(after), {
    event: request.event,
    headline: headlineOf(plan, rollout.path),
  });
  const delivery: Delivery = { kind: "commit" };
  if (plan.action === "rollback" && input.pullRequests) {
    delivery.fallback = {
      branch: renderBranch(rollout.id, true),
      title: renderTitle({ ...marker, urgent: true }),
      // Rendered only if a protected branch refuses the commit: every other rollback would pay for
      // a PR body (its stage timeline) no one reads.
      get body() {
        return body(URGENT_NOTICE);
      },
      labels: ["rollout", "urgent"],
      notice: URGENT_NOTICE,
    };
    delivery.closeBump = {
      branch: renderBranch(rollout.id),
      comment: `Closed by rollout-bot: ${rollout.id} was rolled back ${plan.from.percent}% → ${plan.to.percent}%${plan.reason ? ` (${plan.reason})` : ""}.`,
    };
  }
  return { kind: "planned", plan, delivery, status };
}
