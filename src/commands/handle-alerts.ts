import type { InboxAlert } from "../core/alerts/alert.ts";
import { decideAlert } from "../core/alerts/alert-policy.ts";
import { isFileOfRollout } from "../core/config/rollout-file.ts";
import { isRolloutError } from "../core/errors.ts";
import { viewState } from "../core/rollout/stage-view.ts";
import type { RepoRegistry, RepoStore } from "../ports.ts";
import { rememberHealth, statusNow } from "./evaluate.ts";
import { finishInterrupted } from "./finish-interrupted.ts";
import { loadRepo } from "./load-repo.ts";
import { mutate } from "./mutate.ts";
import { contextFor, type Services } from "./services.ts";

/**
 * The alert inbox's use-case. What a firing alert does is the rollout's choice by severity
 * (`alerts:`; default critical → rollback when auto-rollback is on, else a red page; warning → a yellow
 * notice); resolved → a note, no action. The same alert (key = fingerprint + startsAt) acts once
 * however often it is re-sent; a new one acts in any phase, until 0%.
 */

export type AlertResult =
  | "rolled_back"
  | "already_rolled_back"
  | "paused"
  | "paged"
  | "noted"
  | "resolved"
  | "duplicate"
  | "unknown_rollout"
  | "failed";

export interface AlertOutcome {
  key: string;
  name: string;
  rollout?: string | undefined;
  repo?: string | undefined;
  result: AlertResult;
  detail?: string;
  commit?: string | undefined;
}

/** The alert inbox: the shared services, and every repository an alert may name. */
export interface InboxDeps {
  services: Services;
  registry: RepoRegistry;
}

export const DEDUPE_TTL_MS = 24 * 3_600_000;

async function locate(registry: RepoRegistry, alert: InboxAlert): Promise<RepoStore | undefined> {
  if (alert.repo) return registry.find(alert.repo);
  // No repo label: accept it only when exactly one served repo has the rollout.
  const matches: RepoStore[] = [];
  for (const store of await registry.repos()) {
    if ((await store.listRolloutFiles()).some((f) => isFileOfRollout(f.path, alert.rollout ?? ""))) {
      matches.push(store);
    }
  }
  return matches.length === 1 ? matches[0] : undefined;
}

async function act(
  deps: InboxDeps,
  store: RepoStore,
  alert: InboxAlert & { rollout: string },
): Promise<AlertOutcome> {
  const base = { key: alert.key, name: alert.name, rollout: alert.rollout, repo: store.name };
  const ctx = contextFor(deps.services, store, `alert:${alert.source}/${alert.name}`);
  const repo = await loadRepo(store);
  const rollout = repo.rollouts.find((r) => r.id === alert.rollout);
  if (!rollout)
    return {
      ...base,
      result: "unknown_rollout",
      detail: `no valid rollout '${alert.rollout}' in ${store.name}`,
    };
  // What this alert does is the rollout's choice by severity, decided in the core (core/alerts/alert-policy.ts).
  const decision = decideAlert({
    rollout: rollout.id,
    file: rollout.file,
    view: viewState(rollout.file),
    alert,
  });
  if (decision.kind === "handled") return { ...base, result: "already_rolled_back", detail: decision.detail };
  if (decision.kind === "rollback") {
    const { to, from, reason } = decision;
    const outcome = await mutate(ctx, {
      id: rollout.id,
      action: "rollback",
      event: "rolled_back",
      reason,
      // `from`: two alerts of one incident decided at the same percent step down once.
      transition: () => ({ kind: "rollback", to, from, reason, automatic: true }),
    });
    if (outcome.kind === "refused")
      return { ...base, result: "already_rolled_back", detail: outcome.message };
    return {
      ...base,
      result: "rolled_back",
      commit: outcome.kind === "applied" ? outcome.commit : undefined,
    };
  }
  if (decision.kind === "pause") {
    const { reason } = decision;
    const outcome = await mutate(ctx, {
      id: rollout.id,
      action: "pause",
      event: "paused",
      reason,
      transition: () => ({ kind: "pause", reason }),
    });
    if (outcome.kind !== "refused") return { ...base, result: "paused" };
  }
  const resolved = decision.kind === "resolved";
  const headline = decision.kind === "pause" ? `${alert.severity}: ${decision.reason}` : decision.headline;
  const { status: message } = await statusNow(ctx, rollout, repo.settings, {
    event: resolved ? "alert_resolved" : "alert",
    headline,
  });
  await ctx.notifier.post(message);
  await rememberHealth(ctx, message);
  return { ...base, result: resolved ? "resolved" : decision.kind === "page" ? "paged" : "noted" };
}

export async function handleAlerts(deps: InboxDeps, alerts: readonly InboxAlert[]): Promise<AlertOutcome[]> {
  const outcomes: AlertOutcome[] = [];
  for (const alert of alerts) {
    const base = { key: alert.key, name: alert.name, rollout: alert.rollout, repo: alert.repo };
    const rolloutId = alert.rollout;
    const store = rolloutId === undefined ? undefined : await locate(deps.registry, alert);
    if (!store || rolloutId === undefined) {
      deps.services.logger.info(
        { alert: alert.name, rollout: alert.rollout, repo: alert.repo },
        "alert for no known rollout",
      );
      outcomes.push({ ...base, result: "unknown_rollout" });
      continue;
    }
    const scoped = { ...alert, rollout: rolloutId };
    const { services } = deps;
    await services.coordination.alerts.record(store.name, scoped);
    const claim = `${alert.status}:${alert.key}`;
    const { leaseTtlMs, coordination } = services;
    // Claimed for as long as a lease first: a handler that dies lets a re-send act; kept a day once done.
    if (!(await coordination.dedupe.claim(claim, leaseTtlMs))) {
      outcomes.push({ ...base, repo: store.name, result: "duplicate" });
      continue;
    }
    try {
      // A transition a dead process left half done is finished first (under the rollout's lease).
      await finishInterrupted(contextFor(services, store, "rollout-bot"), coordination.journal, {
        minAgeMs: leaseTtlMs,
        only: rolloutId,
        lock: coordination.lock,
        leaseTtlMs,
      });
      // One transition per rollout at a time, across concurrent deliveries (and replicas, with Redis):
      // the context's lease, taken by mutate around the read → decide → commit → dispatch.
      const outcome = await act(deps, store, scoped);
      await coordination.dedupe.keep(claim, DEDUPE_TTL_MS);
      outcomes.push(outcome);
    } catch (error) {
      await coordination.dedupe.release(claim);
      const detail = isRolloutError(error) ? `${error.code}: ${error.message}` : String(error);
      deps.services.logger.error(
        { alert: alert.name, rollout: rolloutId, err: detail },
        "alert handling failed",
      );
      outcomes.push({ ...base, repo: store.name, result: "failed", detail });
    }
  }
  return outcomes;
}
