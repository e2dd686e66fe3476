import {
  type Authorization,
  actorOf,
  authorize,
  type Need,
  type Principal,
  VERB_NEEDS,
} from "../core/commands/authorize.ts";
import type { Command } from "../core/commands/command.ts";
import { helpText } from "../core/commands/command-help.ts";
import { isFileOfRollout } from "../core/config/rollout-file.ts";
import type { Diagnostic } from "../core/config/yaml-diagnostics.ts";
import { errorMessage, isRolloutError } from "../core/errors.ts";
import type { StatusMessage } from "../core/messages/status-message.ts";
import { viewState } from "../core/rollout/stage-view.ts";
import type { RepoStore } from "../ports.ts";
import { rollBackIfRed } from "./automate.ts";
import type { CommandContext } from "./context.ts";
import { statusNow } from "./evaluate.ts";
import { type HistoryRow, history } from "./history.ts";
import { identify, workspaceOf } from "./identity.ts";
import { type LoadedRepo, loadRepo } from "./load-repo.ts";
import { type MutationOutcome, mutate } from "./mutate.ts";
import { isRegistry, resolveTarget, type Scope } from "./resolve.ts";
import { type RollbackAllOutcome, rollbackAll } from "./rollback-all.ts";
import { type RolloutDetail, rolloutDetail } from "./rollout-detail.ts";
import { contextFor, type Services } from "./services.ts";
import { type TickDecision, type TickOptions, tick } from "./tick.ts";

/**
 * The one command path. Every surface — Slack, PR comments, the CLI, the Action — parses its input into
 * a `Command`, says who asks (a `Principal`) and where names resolve (a `Scope`), and calls
 * `runCommand`, which resolves the rollout, authorizes (one rule, core/commands/authorize.ts), decides
 * (the pure core) and applies. Surfaces only translate the outcome into their reply.
 */

export interface CommandRequest {
  command: Command;
  principal: Principal;
  /** Where a rollout name resolves: the repository the request came from, or every one the bot serves. */
  scope: Scope;
  dryRun?: boolean;
  /** Advance even when bake time or health hold the gate closed (recorded in the commit). */
  force?: boolean;
  /** The percent a Slack button was drawn for: refused when the rollout has moved since. */
  drawnAt?: number;
  /** `status <rollout>`: also the plan, the metric series and the bump PR (the status page). */
  detail?: boolean;
  /** `tick`: when a scheduled status post is due (the Action's interval; default: always). */
  statusDue?: TickOptions["statusDue"];
}

export interface InvalidFile {
  repo: string;
  path: string;
  diagnostics: Diagnostic[];
}

export type CommandOutcome =
  | { kind: "help"; text: string }
  | {
      kind: "status";
      statuses: StatusMessage[];
      invalid: InvalidFile[];
      unreadable: string[];
      detail?: RolloutDetail;
    }
  | { kind: "list"; rollouts: StatusMessage[]; invalid: InvalidFile[]; unreadable: string[] }
  | { kind: "history"; rollout: string; entries: HistoryRow[] }
  | { kind: "validate"; files: { repo: string; path: string; ok: boolean; diagnostics: Diagnostic[] }[] }
  | { kind: "tick"; decisions: TickDecision[] }
  /** Authorization refused: nothing was read beyond what deciding needed, nothing changed. */
  | { kind: "denied"; repo: string; rollout?: string | undefined; reason: string }
  /** A button drawn for another stage: nothing changed. */
  | { kind: "stale"; rollout: string; drawnAt: number; percent: number }
  /** `rollback all` across several repositories (Slack): each one's outcome, and where it was refused. */
  | { kind: "rollback-all-repos"; outcomes: RollbackAllOutcome[]; denied: { repo: string; reason: string }[] }
  | RollbackAllOutcome
  | MutationOutcome;

interface Checked {
  store: RepoStore;
  repo: LoadedRepo;
  verdict: Authorization;
}

async function check(
  services: Services,
  request: CommandRequest,
  store: RepoStore,
  repo: LoadedRepo,
  need: Need,
) {
  const identity = await identify(services, store, request.principal, repo.settings, need);
  return authorize({
    settings: repo.settings,
    settingsProblem: repo.settingsProblem,
    need,
    identity,
    workspace: workspaceOf(services, repo.settings),
  });
}

/** Every repository of the scope the principal may `need` on, loaded; the unreadable ones by name. */
async function eachRepo(services: Services, request: CommandRequest, need: Need) {
  const stores = isRegistry(request.scope) ? await request.scope.repos() : [request.scope];
  const checked: Checked[] = [];
  const unreadable: string[] = [];
  await Promise.all(
    stores.map(async (store) => {
      try {
        const repo = await loadRepo(store);
        checked.push({ store, repo, verdict: await check(services, request, store, repo, need) });
      } catch (error) {
        // One repository: its error is the answer. Several: the others still are.
        if (!isRegistry(request.scope)) throw error;
        if (!isRolloutError(error))
          services.logger.error({ repo: store.name, err: errorMessage(error) }, "repository unreadable");
        // Its settings are unread, so who may see it is unknown: named only to whoever sees every repository.
        if (seesEverything(request.principal)) unreadable.push(store.name);
      }
    }),
  );
  checked.sort((a, b) => a.store.name.localeCompare(b.store.name));
  return { checked, unreadable: unreadable.sort() };
}

/** The operator's own CLI and the bot itself read every repository served; Slack and GitHub users do not. */
function seesEverything(principal: Principal): boolean {
  return principal.kind === "local" || principal.kind === "automation";
}

export async function runCommand(services: Services, request: CommandRequest): Promise<CommandOutcome> {
  const { command } = request;
  const need = VERB_NEEDS[command.verb];
  const actor = actorOf(request.principal);
  const contextOf = (store: RepoStore) =>
    contextFor(services, store, actor, { dryRun: request.dryRun ?? false });
  switch (command.verb) {
    case "help":
      return { kind: "help", text: helpText(command.topic) };
    case "status":
    case "list":
    case "validate":
      if (command.verb === "list" || command.rollout === undefined)
        return readAll(services, request, command.verb, contextOf);
      break;
    case "rollback-all":
      return rollbackEverywhere(services, request, contextOf);
    case "tick":
      return tickEverywhere(services, request);
    default:
      break;
  }
  const ref = "rollout" in command ? command.rollout : undefined;
  if (ref === undefined) throw new Error(`unreachable: ${command.verb} without a rollout`);
  // A repository the asker may not read is one the bot does not serve, as far as they can tell.
  const target = await resolveTarget(
    request.scope,
    ref,
    async (store, repo) => (await check(services, request, store, repo, "read")).ok,
  );
  const { store, repo, rollout } = target;
  let verdict = await check(services, request, store, repo, need);
  // Forcing past the gate (or over a stage's bake) is a permission of its own.
  if (verdict.ok && command.verb === "advance" && request.force)
    verdict = await check(services, request, store, repo, "force");
  if (!verdict.ok) {
    services.logger.info(
      { repo: store.name, rollout: rollout.id, verb: command.verb, actor },
      "command refused",
    );
    return { kind: "denied", repo: store.name, rollout: rollout.id, reason: verdict.reason };
  }
  const percent = viewState(rollout.file).percent;
  if (request.drawnAt !== undefined && percent !== request.drawnAt)
    return { kind: "stale", rollout: rollout.id, drawnAt: request.drawnAt, percent };
  const ctx = contextOf(store);
  const id = rollout.id;
  switch (command.verb) {
    case "status": {
      const { status, evaluation } = await statusNow(ctx, rollout, repo.settings);
      // Red acts at once, here as on the tick: the bot's own rollback, under the lease.
      const acted = request.dryRun
        ? undefined
        : await rollBackIfRed(botContext(services, store), repo, rollout, evaluation);
      const outcome = {
        kind: "status" as const,
        statuses: [statusAfter(acted) ?? status],
        invalid: [],
        unreadable: [],
      };
      if (!request.detail) return outcome;
      return { ...outcome, detail: await rolloutDetail(ctx, rollout, repo.settings, evaluation) };
    }
    case "validate":
      return { kind: "validate", files: validation(repo).filter((f) => isFileOfRollout(f.path, id)) };
    case "history":
      return { kind: "history", ...(await history(ctx, id)) };
    case "advance": {
      const to = command.to;
      const force = request.force ?? false;
      return mutate(ctx, {
        id,
        repo,
        action: "advance",
        event: "advanced",
        to,
        forced: force,
        transition: (e) => ({ kind: "advance", gate: e.gate, force, ...(to === undefined ? {} : { to }) }),
      });
    }
    case "rollback": {
      const { to, reason } = command;
      return mutate(ctx, {
        id,
        repo,
        action: "rollback",
        event: "rolled_back",
        reason,
        transition: () => ({
          kind: "rollback",
          ...(to === undefined ? {} : { to }),
          ...(reason === undefined ? {} : { reason }),
        }),
      });
    }
    case "pause": {
      const { reason } = command;
      return mutate(ctx, {
        id,
        repo,
        action: "pause",
        event: "paused",
        reason,
        transition: () => ({ kind: "pause", ...(reason === undefined ? {} : { reason }) }),
      });
    }
    case "resume":
      return mutate(ctx, {
        id,
        repo,
        action: "resume",
        event: "resumed",
        transition: () => ({ kind: "resume" }),
      });
  }
}

/** What the bot's automation does is the bot's, whoever asked for the evaluation: the commits say so. */
const botContext = (services: Services, store: RepoStore) => contextFor(services, store, "rollout-bot");

/** The status after an automatic rollback, when one was made. */
const statusAfter = (outcome: MutationOutcome | undefined) =>
  outcome && outcome.kind !== "refused" ? outcome.status : undefined;

function validation(repo: LoadedRepo) {
  return [
    ...repo.rollouts.map((r) => ({
      repo: repo.name,
      path: r.path,
      ok: true,
      diagnostics: [] as Diagnostic[],
    })),
    ...repo.invalid.map((f) => ({ repo: repo.name, path: f.path, ok: false, diagnostics: f.diagnostics })),
  ].sort((a, b) => a.path.localeCompare(b.path));
}

/** `status`, `list` and `validate` of every repository the asker may read. */
async function readAll(
  services: Services,
  request: CommandRequest,
  verb: "status" | "list" | "validate",
  contextOf: (store: RepoStore) => CommandContext,
): Promise<CommandOutcome> {
  const { checked, unreadable } = await eachRepo(services, request, "read");
  const readable = checked.filter((c) => c.verdict.ok);
  const single = !isRegistry(request.scope);
  const [first] = checked;
  if (single && first && !first.verdict.ok)
    return { kind: "denied", repo: first.store.name, reason: first.verdict.reason };
  if (verb === "validate") return { kind: "validate", files: readable.flatMap((c) => validation(c.repo)) };
  const statuses: StatusMessage[] = [];
  const invalid: InvalidFile[] = [];
  for (const { store, repo } of readable) {
    const ctx = contextOf(store);
    for (const rollout of repo.rollouts) {
      const { status, evaluation } = await statusNow(ctx, rollout, repo.settings);
      const acted = request.dryRun
        ? undefined
        : await rollBackIfRed(botContext(services, store), repo, rollout, evaluation);
      statuses.push(statusAfter(acted) ?? status);
    }
    invalid.push(...repo.invalid.map((f) => ({ repo: repo.name, ...f })));
  }
  return verb === "list"
    ? { kind: "list", rollouts: statuses, invalid, unreadable }
    : { kind: "status", statuses, invalid, unreadable };
}

/** The kill switch in every repository of the scope where the asker may use it; the others say why not. */
async function rollbackEverywhere(
  services: Services,
  request: CommandRequest,
  contextOf: (store: RepoStore) => CommandContext,
): Promise<CommandOutcome> {
  const command = request.command as Extract<Command, { verb: "rollback-all" }>;
  const reason = command.reason ?? "emergency: rollback all";
  const { checked, unreadable } = await eachRepo(services, request, "rollback_all");
  if (!isRegistry(request.scope)) {
    const [only] = checked;
    if (!only) throw new Error(`${request.scope.name} could not be read`);
    if (!only.verdict.ok) return { kind: "denied", repo: only.store.name, reason: only.verdict.reason };
    return rollbackAll(contextOf(only.store), reason);
  }
  const outcomes: RollbackAllOutcome[] = [];
  const denied = unreadable.map((repo) => ({ repo, reason: "could not be read (logged)" }));
  for (const { store, repo, verdict } of checked) {
    // Refusals are listed only for repositories the asker can see at all.
    if (!verdict.ok) {
      if ((await check(services, request, store, repo, "read")).ok)
        denied.push({ repo: store.name, reason: verdict.reason });
      continue;
    }
    try {
      outcomes.push(await rollbackAll(contextOf(store), reason));
    } catch (error) {
      if (!isRolloutError(error))
        services.logger.error({ repo: store.name, err: errorMessage(error) }, "rollback all failed");
      denied.push({ repo: store.name, reason: isRolloutError(error) ? error.message : "failed (logged)" });
    }
  }
  return { kind: "rollback-all-repos", outcomes, denied };
}

/** One evaluation pass (what the schedule runs) over every repository where the asker may run it. */
async function tickEverywhere(services: Services, request: CommandRequest): Promise<CommandOutcome> {
  const { checked } = await eachRepo(services, request, "advance");
  // Refused everywhere the asker may look: say why (one repository's reason stands for the rest).
  const refusal = checked.find((c) => !c.verdict.ok);
  if (refusal && !refusal.verdict.ok && checked.every((c) => !c.verdict.ok))
    return { kind: "denied", repo: refusal.store.name, reason: refusal.verdict.reason };
  const decisions: TickDecision[] = [];
  for (const { store, verdict } of checked) {
    if (!verdict.ok) continue;
    // What a tick does is the bot's automation, whoever asked for the pass: the commits say so.
    const ctx = contextFor(services, store, "rollout-bot", { dryRun: request.dryRun ?? false });
    decisions.push(...(await tick(ctx, request.statusDue ? { statusDue: request.statusDue } : {})));
  }
  return { kind: "tick", decisions };
}
