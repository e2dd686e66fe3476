import type { Command, RolloutRef } from "../core/commands/command.ts";
import { helpText } from "../core/commands/command-help.ts";
import type { Diagnostic } from "../core/config/yaml-diagnostics.ts";
import { RolloutError } from "../core/errors.ts";
import { buildStatusMessage, type StatusMessage } from "../core/messages/status-message.ts";
import type { CommandContext } from "./context.ts";
import { evaluateRollout } from "./evaluate.ts";
import { type HistoryRow, history } from "./history.ts";
import { findRollout, type LoadedRepo, loadRepo } from "./load-repo.ts";
import { type MutationOutcome, mutate } from "./mutate.ts";
import { type RollbackAllOutcome, rollbackAll } from "./rollback-all.ts";
import { type TickDecision, tick } from "./tick.ts";

/** The single command path: every surface parses text into a Command and calls this. */

export type CommandOutcome =
  | { kind: "help"; text: string }
  | { kind: "status"; statuses: StatusMessage[]; invalid: LoadedRepo["invalid"] }
  | { kind: "list"; rollouts: StatusMessage[]; invalid: LoadedRepo["invalid"] }
  | { kind: "history"; rollout: string; entries: HistoryRow[] }
  | { kind: "validate"; files: { path: string; ok: boolean; diagnostics: Diagnostic[] }[] }
  | { kind: "tick"; decisions: TickDecision[] }
  | RollbackAllOutcome
  | MutationOutcome;

export interface RunOptions {
  /** Advance even when bake time or health hold the gate closed (recorded in the commit). */
  force?: boolean;
}

function idOf(ctx: CommandContext, ref: RolloutRef): string {
  // Where the store knows its `owner/repo`, a qualified ref must name it.
  if (
    ref.repo !== undefined &&
    ctx.store.name.includes("/") &&
    ref.repo.toLowerCase() !== ctx.store.name.toLowerCase()
  ) {
    throw new RolloutError("NOT_FOUND", `${ref.repo}:${ref.id} is not in ${ctx.store.name}`);
  }
  return ref.id;
}

async function statuses(
  ctx: CommandContext,
  only?: string,
): Promise<{ statuses: StatusMessage[]; invalid: LoadedRepo["invalid"] }> {
  const repo = await loadRepo(ctx.store);
  const selected = only === undefined ? repo.rollouts : [findRollout(repo, only)];
  const now = ctx.clock.now();
  const result = await Promise.all(
    selected.map(async (rollout) => {
      const { view, health, gate } = await evaluateRollout(ctx, rollout, repo.settings);
      return buildStatusMessage({
        id: rollout.id,
        repo: repo.name,
        file: rollout.file,
        view,
        health,
        now,
        gate,
      });
    }),
  );
  return { statuses: result, invalid: only === undefined ? repo.invalid : [] };
}

export async function runCommand(
  ctx: CommandContext,
  command: Command,
  options: RunOptions = {},
): Promise<CommandOutcome> {
  switch (command.verb) {
    case "help":
      return { kind: "help", text: helpText(command.topic) };
    case "status":
      return { kind: "status", ...(await statuses(ctx, command.rollout && idOf(ctx, command.rollout))) };
    case "list": {
      const result = await statuses(ctx);
      return { kind: "list", rollouts: result.statuses, invalid: result.invalid };
    }
    case "history":
      return { kind: "history", ...(await history(ctx, idOf(ctx, command.rollout))) };
    case "validate": {
      const repo = await loadRepo(ctx.store);
      const only = command.rollout && idOf(ctx, command.rollout);
      const files = [
        ...repo.rollouts.map((r) => ({ path: r.path, ok: true, diagnostics: [] as Diagnostic[] })),
        ...repo.invalid.map((f) => ({ path: f.path, ok: false, diagnostics: f.diagnostics })),
      ]
        .filter(
          (f) => only === undefined || f.path.endsWith(`/${only}.yml`) || f.path.endsWith(`/${only}.yaml`),
        )
        .sort((a, b) => a.path.localeCompare(b.path));
      if (only !== undefined && files.length === 0) findRollout(repo, only);
      return { kind: "validate", files };
    }
    case "tick":
      return { kind: "tick", decisions: await tick(ctx) };
    case "advance": {
      const to = command.to;
      return mutate(ctx, {
        id: idOf(ctx, command.rollout),
        action: "advance",
        event: "advanced",
        to,
        forced: options.force ?? false,
        transition: (e) => ({
          kind: "advance",
          gate: e.gate,
          force: options.force ?? false,
          ...(to === undefined ? {} : { to }),
        }),
      });
    }
    case "rollback": {
      const { to, reason } = command;
      return mutate(ctx, {
        id: idOf(ctx, command.rollout),
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
    case "rollback-all":
      return rollbackAll(ctx, command.reason ?? "emergency: rollback all");
    case "pause": {
      const { reason } = command;
      return mutate(ctx, {
        id: idOf(ctx, command.rollout),
        action: "pause",
        event: "paused",
        reason,
        transition: () => ({ kind: "pause", ...(reason === undefined ? {} : { reason }) }),
      });
    }
    case "resume":
      return mutate(ctx, {
        id: idOf(ctx, command.rollout),
        action: "resume",
        event: "resumed",
        transition: () => ({ kind: "resume" }),
      });
  }
}
