import { loadRepo } from "../../commands/load-repo.ts";
import { runCommand } from "../../commands/run-command.ts";
import { type Authorization, authorize, type Permission } from "../../core/commands/authorize.ts";
import type { Command, RolloutRef } from "../../core/commands/command.ts";
import { helpText } from "../../core/commands/command-help.ts";
import type { Settings } from "../../core/config/settings-schema.ts";
import { isRolloutError } from "../../core/errors.ts";
import { renderHelpBlocks } from "../../core/messages/slack-blocks.ts";
import type { StatusMessage } from "../../core/messages/status-message.ts";
import { viewState } from "../../core/rollout/stage-view.ts";
import { resolveRollout } from "./resolve-rollout.ts";
import type { SlackDeps } from "./slack-deps.ts";
import { ephemeral, errorReply, listReply, replyFor, type SlackReply, statusReply } from "./slack-reply.ts";
import { actorOf, mentionOf, type SlackUser } from "./slack-user.ts";

/**
 * The Slack side of the one command path: slash commands and buttons both come here. It resolves
 * `<rollout>` across the registry, authorizes from that repository's settings, refuses a click on a
 * button drawn for another stage, runs `runCommand`, and renders the reply. Never throws.
 */

export const PERMISSION: Partial<Record<Command["verb"], Permission>> = {
  advance: "advance",
  rollback: "rollback",
  pause: "pause",
  resume: "resume",
  "rollback-all": "rollback_all",
};

export interface SlackRunOptions {
  /** The percent of the stage the clicked button was drawn for: refused when the rollout has moved. */
  stage?: number;
}

export async function authorizeSlackUser(
  deps: SlackDeps,
  settings: Settings,
  permission: Permission,
  user: SlackUser,
): Promise<Authorization> {
  const named = settings.permissions[permission]?.slack_groups ?? [];
  const groups = named.length > 0 ? await deps.groups.groupsOf(user.id, named) : [];
  return authorize(settings, permission, { kind: "slack", user: user.id, groups });
}

function refOf(command: Command): RolloutRef | undefined {
  return "rollout" in command ? command.rollout : undefined;
}

export async function runSlackCommand(
  deps: SlackDeps,
  user: SlackUser,
  command: Command,
  options: SlackRunOptions = {},
): Promise<SlackReply> {
  const log = deps.logger.child({ user: user.id, verb: command.verb });
  try {
    if (command.verb === "help") return ephemeral(renderHelpBlocks(helpText(command.topic)));
    if (command.verb === "tick") {
      return errorReply("tick is what the server runs on its schedule; it is not a Slack command.");
    }
    if (command.verb === "rollback-all") return await rollbackEverywhere(deps, user, command.reason);
    const ref = refOf(command);
    if (ref === undefined) return await readEverywhere(deps, command);
    const target = await resolveRollout(deps.registry, ref);
    const percent = viewState(target.rollout.file).percent;
    if (options.stage !== undefined && percent !== options.stage) {
      return errorReply(
        `refused: this button was for ${target.rollout.id} at ${options.stage}%, but it is now at ${percent}%. Nothing was changed: use the latest status message or /rollout status ${target.rollout.id}.`,
      );
    }
    const permission = PERMISSION[command.verb];
    if (permission) {
      const verdict = await authorizeSlackUser(deps, target.repo.settings, permission, user);
      if (!verdict.ok) {
        log.info({ rollout: target.rollout.id, repo: target.store.name }, "slack command refused");
        return errorReply(`refused: ${verdict.reason}`);
      }
    }
    const ctx = deps.context(target.store, actorOf(user));
    // The resolved store is the one to act on: a bare id is passed on as it is, a qualified one was checked.
    const outcome = await runCommand(ctx, command);
    log.info(
      { rollout: target.rollout.id, repo: target.store.name, outcome: outcome.kind },
      "slack command done",
    );
    return replyFor(outcome, mentionOf(user), deps.githubUrl ? { githubUrl: deps.githubUrl } : {});
  } catch (error) {
    if (isRolloutError(error)) return errorReply(error.message, error.details);
    log.error({ err: error instanceof Error ? error.message : String(error) }, "slack command failed");
    return errorReply("internal error (logged): check /rollout status before trying again.");
  }
}

/** `status`, `list` and `validate` without a rollout: every served repository, one reply. */
async function readEverywhere(deps: SlackDeps, command: Command): Promise<SlackReply> {
  const stores = await deps.registry.repos();
  if (stores.length === 0) return errorReply("rollout-bot serves no repository yet.");
  const statuses: StatusMessage[] = [];
  const notes: string[] = [];
  const texts: string[] = [];
  for (const store of stores) {
    try {
      const outcome = await runCommand(deps.context(store, "slack"), command);
      if (outcome.kind === "status") statuses.push(...outcome.statuses);
      if (outcome.kind === "list") statuses.push(...outcome.rollouts);
      if (outcome.kind === "status" || outcome.kind === "list") {
        notes.push(
          ...outcome.invalid.map((f) => `✗ ${store.name}: ${f.path} is invalid (/rollout validate)`),
        );
      }
      if (outcome.kind === "validate") {
        texts.push(
          ...outcome.files.map((f) =>
            f.ok
              ? `✓ ${store.name}: ${f.path}`
              : `✗ ${store.name}: ${f.path}: ${f.diagnostics.length} problem(s): ${f.diagnostics
                  .slice(0, 3)
                  .map((d) => `${d.line}:${d.column} ${d.message}`)
                  .join("; ")}`,
          ),
        );
      }
    } catch (error) {
      const message = isRolloutError(error) ? error.message : "could not be read (logged)";
      if (!isRolloutError(error)) {
        deps.logger.error(
          { repo: store.name, err: error instanceof Error ? error.message : String(error) },
          "repository unreadable",
        );
      }
      notes.push(`⚠️ ${store.name}: ${message}`);
    }
  }
  if (command.verb === "validate") {
    return ephemeral(
      renderHelpBlocks([...texts, ...notes].join("\n") || "no rollout files in .github/rollouts/"),
    );
  }
  const options = deps.githubUrl ? { githubUrl: deps.githubUrl } : {};
  return command.verb === "list" ? listReply(statuses, notes) : statusReply(statuses, options, notes);
}

/** The kill switch across every repository where the user may use it; the others say why not. */
async function rollbackEverywhere(
  deps: SlackDeps,
  user: SlackUser,
  reason: string | undefined,
): Promise<SlackReply> {
  const stores = await deps.registry.repos();
  const done: SlackReply[] = [];
  const refused: string[] = [];
  for (const store of stores) {
    try {
      const { settings } = await loadRepo(store);
      const verdict = await authorizeSlackUser(deps, settings, "rollback_all", user);
      if (!verdict.ok) {
        refused.push(`${store.name}: ${verdict.reason}`);
        continue;
      }
      const outcome = await runCommand(deps.context(store, actorOf(user)), {
        verb: "rollback-all",
        ...(reason === undefined ? {} : { reason }),
      });
      done.push(replyFor(outcome, mentionOf(user)));
    } catch (error) {
      refused.push(`${store.name}: ${isRolloutError(error) ? error.message : "failed (logged)"}`);
      if (!isRolloutError(error)) {
        deps.logger.error(
          { repo: store.name, err: error instanceof Error ? error.message : String(error) },
          "rollback all failed",
        );
      }
    }
  }
  if (done.length === 0) return errorReply("refused: rollback all changed nothing", refused);
  const blocks = done.flatMap((r) => r.blocks);
  if (refused.length > 0) {
    blocks.push(...errorReply("not rolled back in:", refused).blocks);
  }
  return {
    response_type: done.some((r) => r.response_type === "in_channel") ? "in_channel" : "ephemeral",
    text: done
      .map((r) => r.text)
      .join(" · ")
      .slice(0, 300),
    blocks: blocks.slice(0, 50),
  };
}
