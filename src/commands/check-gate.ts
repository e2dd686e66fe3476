import { canWrite } from "../core/commands/authorize.ts";
import type { Settings } from "../core/config/settings-schema.ts";
import { GATE_CHECK, GATE_NOT_REQUIRED, parseBody, parseBranch } from "../core/messages/bump-pr.ts";
import { parseCommitMessage } from "../core/messages/commit-message.ts";
import { type Approvals, approvalsNeeded, type Gate, stagesEntered } from "../core/rollout/gate.ts";
import type { PullRequest, RepoStore } from "../ports.ts";
import { ownBumpPull } from "./bump-pull.ts";
import { evaluateRollout } from "./evaluate.ts";
import { findRollout, type LoadedRollout, loadRepo } from "./load-repo.ts";
import { contextFor, type Services } from "./services.ts";

/**
 * The "rollout gate" check run on a bump PR — bake, health, approvals, cooldown, freeze — re-evaluated
 * on reviews, pushes and on schedule, under the rollout's lease (a rollback in progress wins). With
 * `auto_merge` on and the gate open, the bot merges (compare-and-swap on the head it judged).
 */

export { GATE_CHECK };

/** How often an unchanged verdict is rewritten, to keep the bake progress fresh without spending writes. */
const REFRESH_MS = 15 * 60_000;

/**
 * Approvals that count: each reviewer's latest verdict, from distinct people with write access — not
 * the PR's author, not bots, not the person who asked for this advance (their own approval would be a
 * gate of one) — and which of the teams the stages ask for those approvers belong to.
 */
export async function countApprovals(
  store: RepoStore,
  pull: PullRequest,
  options: { requester?: string | undefined; teams?: readonly string[] } = {},
): Promise<Approvals> {
  const { pulls, collaborators } = store;
  if (!pulls || !collaborators) return { logins: [], teams: [] };
  const excluded = new Set([pull.author, options.requester ?? ""].map((l) => l.toLowerCase()));
  const latest = new Map<string, string>();
  for (const review of await pulls.reviews(pull.number)) {
    if (review.isBot || excluded.has(review.login.toLowerCase()) || review.state === "COMMENTED") continue;
    latest.set(review.login, review.state);
  }
  const logins: string[] = [];
  for (const [login, state] of latest) {
    if (state === "APPROVED" && canWrite(await collaborators.permission(login))) logins.push(login);
  }
  const wanted = options.teams ?? [];
  const teams = new Set<string>();
  if (wanted.length > 0)
    for (const login of logins) for (const t of await collaborators.teams(login, wanted)) teams.add(t);
  return { logins, teams: [...teams] };
}

/**
 * The approvals a bump PR's gate counts, as the check and the status page both judge it: the
 * requester (the audit trailer of the bot's own, verified commit on the branch) excluded, and the
 * teams the stages it enters ask for.
 */
export async function gateApprovals(
  store: RepoStore,
  pull: PullRequest,
  rollout: LoadedRollout,
  settings: Settings,
  to: number,
): Promise<Approvals> {
  const commits = ((await store.pulls?.commits(pull.number)) ?? []).map((c) =>
    parseCommitMessage(c.message, rollout.id),
  );
  const requester = commits.find((c) => c?.action === "advance")?.actor;
  const entered = stagesEntered(rollout.file.stages, rollout.file.state?.percent ?? 0, to);
  return countApprovals(store, pull, {
    requester,
    teams: approvalsNeeded(entered, settings.defaults.approvals).teams,
  });
}

export async function checkGate(
  services: Services,
  store: RepoStore,
  pull: PullRequest,
  options: { refreshOnly?: boolean } = {},
): Promise<{ gate: Gate; merged: boolean } | undefined> {
  const pulls = store.pulls;
  const branch = parseBranch(pull.headRef);
  const marker = parseBody(pull.body);
  if (!pulls || !branch || branch.urgent || !marker || marker.rollout !== branch.rollout) return undefined;
  const ctx = contextFor(services, store, "rollout-bot");
  return ctx.lease(branch.rollout, async () => {
    const loaded = await loadRepo(store);
    // A branch name and a marker are text anyone can write: only the bot's own PRs get a gate.
    const ownership = await ownBumpPull(store, loaded, pull);
    if (!ownership.ours) {
      ctx.logger.warn({ pr: pull.number, why: ownership.why }, "not a bump PR of the bot's: no gate");
      return undefined;
    }
    const rollout = findRollout(loaded, branch.rollout);
    const approvals = await gateApprovals(store, pull, rollout, loaded.settings, marker.to);
    const { gate, health } = await evaluateRollout(ctx, rollout, loaded.settings, {
      approvals,
      to: marker.to,
    });
    const failing = gate.checks.filter((c) => !c.pass);
    const conclusion = gate.open ? ("success" as const) : ("failure" as const);
    const title = gate.open
      ? `gate open: ready for ${marker.to}%`
      : `gate closed: ${failing.map((c) => c.name).join(", ")}`;
    // The schedule re-evaluates every open bump PR: write only when the verdict changed, or refresh
    // the progress (bake time) in place at most every 15 minutes.
    const last = await pulls.latestCheck(pull.headSha, GATE_CHECK);
    const now = ctx.clock.now().getTime();
    const fresh = last?.completedAt ? now - Date.parse(last.completedAt) < REFRESH_MS : false;
    const same = last?.conclusion === conclusion && last.title === title;
    if (same && fresh && options.refreshOnly) return { gate, merged: false };
    await pulls.writeCheck({
      name: GATE_CHECK,
      headSha: pull.headSha,
      conclusion,
      title,
      summary: [
        ...gate.checks.map((c) => `- [${c.pass ? "x" : " "}] **${c.name}**: ${c.detail}`),
        "",
        `Health: **${health.status}**`,
        ...health.reasons.map((r) => `- ${r.pass ? "✓" : "✗"} ${r.text}`),
        ...((await pulls.requiredCheck?.(GATE_CHECK)) === false
          ? ["", `> [!WARNING]\n> ${GATE_NOT_REQUIRED}`]
          : []),
      ].join("\n"),
    });
    let merged = false;
    if (gate.open && rollout.file.automation?.auto_merge) {
      await pulls.merge(pull.number, pull.headSha);
      merged = true;
      ctx.logger.info({ rollout: rollout.id, pr: pull.number }, "gate open: bump pull request merged");
    }
    return { gate, merged };
  });
}

/** The scheduled pass: every open bump PR of a repository gets its gate re-evaluated. */
export async function refreshGates(services: Services, store: RepoStore): Promise<number> {
  let checked = 0;
  for (const pull of (await store.pulls?.openBumpPulls()) ?? []) {
    if (await checkGate(services, store, pull, { refreshOnly: true })) checked++;
  }
  return checked;
}
