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
  /** The request's credential does not cover the repository the alert names: ignored. */
  | "forbidden"
  /** Another alert of the same rollout in this request made the decision. */
  | "grouped"
  | "failed";

export interface AlertOutcome {
  key: string;
  name: string;
  rollout?: string | undefined;
  repo?: string | undefined;
  result: AlertResult;
  detail?: string;
  commit?: string | undefined;
  /** Whether a rollback's workflows were dispatched (no error text: the caller is an alert sender). */
  dispatches?: { workflow: string; dispatched: boolean; unsupported?: true }[];
}

/** The alert inbox: the shared services, and every repository an alert may name. */
export interface InboxDeps {
  services: Services;
  registry: RepoRegistry;
  /** Where clean-up after a rollback's dispatch runs, so the alert's answer does not wait for it. */
  background?: (work: () => Promise<void>) => void;
}

/** Which repositories a request's credential covers: every one (the global token), or one. */
export type AlertScope = { kind: "all" } | { kind: "repo"; repo: string };

export const DEDUPE_TTL_MS = 24 * 3_600_000;
/** One request's alerts at the most: a flood is refused before any work, not turned into requests. */
export const MAX_ALERTS_PER_REQUEST = 100;

const covers = (scope: AlertScope, repo: string) => scope.kind === "all" || scope.repo === repo.toLowerCase();

/** Which of a rollout's alerts in one request decides: a critical firing one first, then any firing, then the rest. */
function rank(alert: InboxAlert): number {
  if (alert.status === "firing" && alert.severity === "critical") return 0;
  return alert.status === "firing" ? 1 : 2;
}

async function locate(registry: RepoRegistry, alert: InboxAlert): Promise<RepoStore | undefined> {
  if (alert.repo) return registry.find(alert.repo);
  const id = alert.rollout ?? "";
  // No repo label: accept it only when exactly one served repo has the rollout. The registry's index
  // where it keeps one; else every repository listed at once, not one after another.
  const matches = registry.locate
    ? await registry.locate(id)
    : await (async () => {
        const stores = await registry.repos();
        const files = await Promise.all(stores.map((s) => s.listRolloutFiles()));
        return stores.filter((_, i) => files[i]!.some((f) => isFileOfRollout(f.path, id)));
      })();
  return matches.length === 1 ? matches[0] : undefined;
}

async function act(
  deps: InboxDeps,
  store: RepoStore,
  alert: InboxAlert & { rollout: string },
): Promise<AlertOutcome> {
  const base = { key: alert.key, name: alert.name, rollout: alert.rollout, repo: store.name };
  const ctx = {
    ...contextFor(deps.services, store, `alert:${alert.source}/${alert.name}`),
    ...(deps.background ? { defer: deps.background } : {}),
  };
  // One wave: the rollout's file, the settings and its sync files, read once and handed to mutate.
  const repo = await loadRepo(store, { only: alert.rollout });
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
      repo,
    });
    if (outcome.kind === "refused")
      return { ...base, result: "already_rolled_back", detail: outcome.message };
    if (outcome.kind !== "applied") return { ...base, result: "rolled_back" };
    const dispatches = outcome.dispatches.map(({ workflow, dispatched, unsupported }) => ({
      workflow,
      dispatched,
      ...(unsupported ? { unsupported: true as const } : {}),
    }));
    return { ...base, result: "rolled_back", commit: outcome.commit, dispatches };
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

/**
 * The alerts of one request, for the repositories its credential covers. Grouped per rollout: one
 * decision per rollout per request (the most severe alert decides; the others are recorded in the
 * alert book and answered `grouped`), so a request of 100 alerts for one rollout is one rollback.
 */
export async function handleAlerts(
  deps: InboxDeps,
  alerts: readonly InboxAlert[],
  scope: AlertScope = { kind: "all" },
): Promise<AlertOutcome[]> {
  const outcomes: AlertOutcome[] = [];
  const groups = new Map<string, { store: RepoStore; alerts: (InboxAlert & { rollout: string })[] }>();
  for (const named of alerts) {
    // A per-repository token speaks for its repository: an alert that names none is about it.
    const alert = named.repo === undefined && scope.kind === "repo" ? { ...named, repo: scope.repo } : named;
    const base = { key: alert.key, name: alert.name, rollout: alert.rollout, repo: alert.repo };
    if (alert.repo !== undefined && !covers(scope, alert.repo)) {
      deps.services.logger.warn(
        { alert: alert.name, repo: alert.repo },
        "alert for a repository its token does not cover: ignored",
      );
      outcomes.push({ ...base, result: "forbidden", detail: `this token does not cover ${alert.repo}` });
      continue;
    }
    const rolloutId = alert.rollout;
    const store = rolloutId === undefined ? undefined : await locate(deps.registry, alert);
    if (!store || rolloutId === undefined || !covers(scope, store.name)) {
      deps.services.logger.info(
        { alert: alert.name, rollout: alert.rollout, repo: alert.repo },
        "alert for no known rollout",
      );
      outcomes.push({ ...base, result: "unknown_rollout" });
      continue;
    }
    const key = `${store.name.toLowerCase()}\u0000${rolloutId}`;
    const group = groups.get(key) ?? { store, alerts: [] };
    group.alerts.push({ ...alert, rollout: rolloutId });
    groups.set(key, group);
  }
  for (const { store, alerts: group } of groups.values()) {
    const ordered = [...group].sort((a, b) => rank(a) - rank(b));
    for (const [i, alert] of ordered.entries()) {
      await deps.services.coordination.alerts.record(store.name, alert);
      if (i > 0) {
        outcomes.push({
          key: alert.key,
          name: alert.name,
          rollout: alert.rollout,
          repo: store.name,
          result: "grouped",
        });
        continue;
      }
      outcomes.push(await decide(deps, store, alert));
    }
  }
  return outcomes;
}

/** The one decision for a rollout's alert: claimed once per episode, under the rollout's lease. */
async function decide(
  deps: InboxDeps,
  store: RepoStore,
  alert: InboxAlert & { rollout: string },
): Promise<AlertOutcome> {
  const base = { key: alert.key, name: alert.name, rollout: alert.rollout, repo: store.name };
  const { services } = deps;
  const { leaseTtlMs, coordination } = services;
  const claim = `${alert.status}:${alert.key}`;
  // Claimed for as long as a lease first: a handler that dies lets a re-send act; kept a day once done.
  if (!(await coordination.dedupe.claim(claim, leaseTtlMs))) return { ...base, result: "duplicate" };
  try {
    // A transition a dead process left half done is finished first (under the rollout's lease).
    await finishInterrupted(contextFor(services, store, "rollout-bot"), coordination.journal, {
      minAgeMs: leaseTtlMs,
      only: alert.rollout,
      lock: coordination.lock,
      leaseTtlMs,
    });
    // One transition per rollout at a time, across concurrent deliveries (and replicas, with Redis):
    // the context's lease, taken by mutate around the read → decide → commit → dispatch.
    const outcome = await act(deps, store, alert);
    await coordination.dedupe.keep(claim, DEDUPE_TTL_MS);
    // The episode is over: the next firing of this alert is a new incident, not a duplicate.
    if (alert.status === "resolved") await coordination.dedupe.release(`firing:${alert.key}`);
    return outcome;
  } catch (error) {
    await coordination.dedupe.release(claim);
    const detail = isRolloutError(error) ? `${error.code}: ${error.message}` : String(error);
    services.logger.error(
      { alert: alert.name, rollout: alert.rollout, err: detail },
      "alert handling failed",
    );
    return { ...base, result: "failed", detail };
  }
}
